// Colours, one meaning each; every palette is safe for colour-blind readers and reads on white.
// - Sign and class: orange–white–blue diverging (Playground's): orange below 0 and class 0, white
//   at 0, blue above 0 and class 1; classes past two take further Okabe–Ito hues.
// - Layer order: a sequential pink-to-deep-purple ramp (ColorBrewer RdPu), light at the input
//   side, dark at the output side; only the layer charts and their legend use it.
// - Magnitude (a log norm in a map): viridis.
// - No meaning (losses, norms, histograms): greys, told apart by dash; green marks a healthy range,
//   vermillion a warning or a non-finite value.

export const NEGATIVE = "#e69f00";
export const POSITIVE = "#0072b2";
export const CLASS_COLORS = [NEGATIVE, POSITIVE, "#009e73", "#cc79a7", "#f0e442"];
export const WARN = "#d55e00";
export const HEALTHY = "#009e73";
export const SERIES = { strong: "#1d2330", light: "#7a8294" }; // lines that are neither a sign, a class nor a layer
export const NONFINITE_RGB = [160, 160, 160];

/** "#rrggbb" -> [r, g, b]. */
export const rgbOf = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));

/** [r, g, b] -> "rgb(r,g,b)". */
export const css = (rgb) => `rgb(${rgb.join(",")})`;

const WHITE = [247, 247, 247];
const ENDS = [rgbOf(NEGATIVE), rgbOf(POSITIVE)];
const LAYER_RAMP = ["#f768a1", "#dd3497", "#ae017e", "#7a0177", "#49006a"].map(rgbOf);
const VIRIDIS = ["#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
  "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725"].map(rgbOf);

/** The colour at t in [0, 1] (clamped) of a ramp of [r, g, b] stops, interpolated linearly. */
function rampRgb(stops, t) {
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const [a, b] = [stops[Math.floor(x)], stops[Math.ceil(x)]];
  return a.map((v, k) => Math.round(v + (b[k] - v) * (x - Math.floor(x))));
}

/** The diverging colour of t in [-1, 1] (clamped): orange, white at 0, blue; as [r, g, b]; NaN is grey. */
export function divergingRgb(t) {
  if (Number.isNaN(t)) return NONFINITE_RGB;
  const end = ENDS[t < 0 ? 0 : 1];
  const a = Math.min(1, Math.abs(t));
  return WHITE.map((n, k) => Math.round(n + (end[k] - n) * a));
}

/** Colour of layer k of n, as "rgb(r,g,b)": light pink at the input side, deep purple at the output side. */
export function layerColor(k, n) {
  return css(rampRgb(LAYER_RAMP, n <= 1 ? 1 : k / (n - 1)));
}

/** Viridis at t in [0, 1] (clamped), as [r, g, b]: dark purple for the least, yellow for the most. */
export function magnitudeRgb(t) {
  return rampRgb(VIRIDIS, t);
}

/** The diverging palette as a Plotly colorscale (orange below the middle, white, blue above). */
export const DIVERGING_SCALE = [[0, NEGATIVE], [0.5, css(WHITE)], [1, POSITIVE]];

/** Viridis as a Plotly colorscale. */
export const VIRIDIS_SCALE = VIRIDIS.map((rgb, k) => [k / (VIRIDIS.length - 1), css(rgb)]);
