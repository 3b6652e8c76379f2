// Decoding the arrays the server packs into JSON (docs/protocol.md, "Packed arrays"), and the
// plain nested lists an exported trace holds, into {values: flat typed array, shape}.

const QUANT_LEVELS = 254;
const QUANT_NONFINITE = 255;

function bytes(b64) {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function shapeOf(nested) {
  const shape = [];
  for (let a = nested; Array.isArray(a); a = a[0]) shape.push(a.length);
  return shape;
}

/** Any array the server or a trace sends -> {values: Float32Array|Float64Array|Int32Array, shape}. */
export function decode(array) {
  if (array === null || array === undefined) return null;
  if (Array.isArray(array)) {
    const flat = array.flat(Infinity).map((v) => (v === null ? NaN : v));
    return { values: Float64Array.from(flat), shape: shapeOf(array) };
  }
  const raw = bytes(array.b64);
  if (array.dtype === "float32") return { values: new Float32Array(raw.buffer), shape: array.shape };
  if (array.dtype === "float64") return { values: new Float64Array(raw.buffer), shape: array.shape };
  if (array.dtype === "int32") return { values: new Int32Array(raw.buffer), shape: array.shape };
  if (array.dtype === "uint8") {
    const span = array.max - array.min;
    const values = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      values[i] = raw[i] === QUANT_NONFINITE ? NaN : array.min + (raw[i] / QUANT_LEVELS) * span;
    }
    return { values, shape: array.shape };
  }
  throw new Error(`unknown packed dtype ${array.dtype}`);
}

/** A decoded 2-D array as rows (arrays of numbers), as Plotly's heatmaps want. */
export function rows(decoded) {
  const [n, m] = decoded.shape.length === 2 ? decoded.shape : [1, decoded.shape[0]];
  const out = [];
  for (let i = 0; i < n; i++) out.push(Array.from(decoded.values.subarray(i * m, (i + 1) * m)));
  return out;
}
