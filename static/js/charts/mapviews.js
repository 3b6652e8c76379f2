// A unit's map over the input plane as the page shows it large (the output panel, on hover) and
// small (an input feature's tile): values row-major with row 0 the lowest y, coloured orange below
// 0 and blue above, scaled by the map's largest |value|.

import { decode } from "../packed.js";
import { divergingRgb } from "../palette.js";
import { pixelCanvas } from "./canvas.js";

/** The largest finite |v| of values (0 if none). */
export function largestMagnitude(values) {
  let top = 0;
  for (const v of values) if (Number.isFinite(v)) top = Math.max(top, Math.abs(v));
  return top;
}

/** {title, values, n, m, scale} of hidden unit `unit` of hidden block `block` in a frame's
 * `neuron_maps`, or null when it has no map. */
export function hiddenUnitMap(maps, block, unit, title) {
  const u = maps?.units.findIndex(([k, j]) => k === block && j === unit) ?? -1;
  if (u < 0) return null;
  const values = decode(maps.maps[u]).values;
  return { title, values, n: maps.y.length, m: maps.x.length, scale: largestMagnitude(values) };
}

/** {title, values, n, m, scale} of an input feature's map from the catalog's `plane.feature_maps`
 * (rows of values, row 0 the lowest y). */
export function featureMap(featureMaps, name, title) {
  const rows = featureMaps[name];
  const values = rows.flat();
  return { title, values, n: rows.length, m: rows[0].length, scale: largestMagnitude(values) };
}

/** A map as an image of one pixel per grid point (row 0 of the map at the bottom). */
export function mapImage({ values, n, m, scale }) {
  return pixelCanvas(m, n, (j, i) => {
    const v = values[(n - 1 - i) * m + j];
    return divergingRgb(Number.isFinite(v) ? v / (scale || 1) : NaN);
  });
}
