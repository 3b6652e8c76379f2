// Axis ticks and labels for the canvas charts: round numbers on a linear axis, whole decades on a
// log axis, written as Plotly writes them (5k, 10⁻³).

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** At most about `count` round values (1, 2 or 5 × 10^k apart) within [lo, hi]. */
export function linearTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** Whole decades within [lo, hi] (log10 units): multiples of 1, 2, 5, 10, ... decades, so
 * that at most `count` remain. */
export function decadeTicks(lo, hi, count = 6) {
  const [first, last] = [Math.ceil(lo - 1e-9), Math.floor(hi + 1e-9)];
  const every = [1, 2, 5, 10, 20, 50, 100].find((k) => (last - first) / k < count) ?? 100;
  const ticks = [];
  for (let e = Math.ceil(first / every) * every; e <= last; e += every) ticks.push(e);
  return ticks;
}

/** 10^e as "10⁻³" (and 1, 10 as themselves). */
export function powerText(e) {
  if (e === 0) return "1";
  if (e === 1) return "10";
  return `10${String(e).split("").map((c) => SUPERSCRIPT[c]).join("")}`;
}

/** A linear tick value with `digits` significant digits (3 by default), negatives with the minus sign: 12k, 1.5M, −0.25, 1e−4, 2.5e12. */
export function tickText(v, digits = 3) {
  return plainTickText(v, digits).replaceAll("-", "−"); // the minus sign, as Plotly's axes print it
}

function plainTickText(v, digits) {
  const a = Math.abs(v);
  if (a >= 1e9) return v.toExponential(Math.max(1, digits - 2)).replace("e+", "e");
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(digits))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(digits))}k`;
  if (a !== 0 && a < 1e-3) return v.toExponential(digits - 3);
  return String(Number(v.toPrecision(digits)));
}

/** Texts for distinct values, with as many significant digits (3 or more) as it takes for no two
 * to read alike (a nearly flat range's ticks 0.69313 and 0.69314 are not both "0.693"). */
export function tickTexts(values) {
  for (let digits = 3; ; digits++) {
    const texts = values.map((v) => tickText(v, digits));
    if (digits >= 15 || new Set(texts).size === new Set(values).size) return texts;
  }
}
