// Colours: Okabe–Ito, safe for colour-blind readers; orange–white–blue diverges for signs.

export const CLASS_COLORS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00"];

const NEUTRAL = [247, 247, 247];
const ENDS = [[230, 159, 0], [0, 114, 178]]; // orange (the first class, negative) and blue

/** The diverging colour of t in [-1, 1] (clamped): orange, white at 0, blue; as [r, g, b]; NaN is grey. */
export function divergingRgb(t) {
  if (Number.isNaN(t)) return [160, 160, 160];
  const end = ENDS[t < 0 ? 0 : 1];
  const a = Math.min(1, Math.abs(t));
  return NEUTRAL.map((n, k) => Math.round(n + (end[k] - n) * a));
}
