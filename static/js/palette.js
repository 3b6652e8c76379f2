// Colours: Okabe–Ito, safe for colour-blind readers; orange–white–blue diverges for signs.

export const CLASS_COLORS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00"];
export const DIVERGING = [[0, "#e69f00"], [0.5, "#f7f7f7"], [1, "#0072b2"]];

const NEUTRAL = [247, 247, 247];
const ENDS = [[230, 159, 0], [0, 114, 178]]; // DIVERGING's ends as RGB

/** The DIVERGING colour of t in [-1, 1] (clamped) as [r, g, b]; NaN is grey. */
export function divergingRgb(t) {
  if (Number.isNaN(t)) return [160, 160, 160];
  const end = ENDS[t < 0 ? 0 : 1];
  const a = Math.min(1, Math.abs(t));
  return NEUTRAL.map((n, k) => Math.round(n + (end[k] - n) * a));
}
