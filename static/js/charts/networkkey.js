// The network view's one colour key: the diverging strip, with the numbers its ends stand for in
// the neuron maps (one scale for every map, values beyond it take the ends) and in the neurons, and
// what it means for the links.

import { divergingRgb } from "../palette.js";
import { tickText } from "./axes.js";
import { colorKey } from "./colorbar.js";

const LINK_VALUES = { weights: "W", grads: "dL/dW", updates: "ΔW" };
const NEURON_VALUES = { neuron_act: "a", neuron_signal: "dL/da" };

/** Write the key of a drawn NetworkChart into `element`. */
export function networkKey(element, chart) {
  if (!chart.scene) return;
  const ends = (s) => ({ low: s ? tickText(-s) : "0", middle: "0", high: s ? tickText(s) : "0" });
  const rows = [];
  if (chart.showMaps && chart.atlas) {
    const { low, middle, high } = ends(chart.atlas.scale);
    rows.push({ low: `≤ ${low}`, middle, high: `≥ ${high}`, caption: "neuron maps: a over the plane, one scale for every map" });
  }
  rows.push({ ...ends(chart.scene.scale), caption: `neurons: mean ${NEURON_VALUES[chart.neuronMode]} over the batch` });
  rows.push({ low: "< 0", middle: "", high: "> 0", caption: `links: the sign of ${LINK_VALUES[chart.mode]}` });
  colorKey(element, (t) => divergingRgb(2 * t - 1), rows);
}
