// Drawing your own points (issue 16) on the output plane: with "draw" on, a click or a drag adds
// points of the chosen class (or value), a shift-click takes away the points under the pointer.
// Each stroke is one change of the custom set's points, live while training runs or is paused
// (a live change, kept in the trace's events); the first stroke on a generated set starts a custom
// set from its points (a new run).

import { toast } from "./notices.js";
import { classCount, taskOf } from "./schema.js";
import { getState, view } from "./state.js";

const STEP = 0.35; // plane units between the points a drag lays down
const ERASE = 0.4; // plane units: a shift-click takes away the points this close

/** The points of the data on view as the custom set's [[x1, x2, y]]: its config's, or a generated
 * set's train and test points. */
function currentPoints(config, points) {
  if (config.dataset.points) return config.dataset.points;
  return ["train", "test"].flatMap((split) => Array.from(points[split].x, (x, i) =>
    [Number(x.toFixed(6)), Number(points[split].y[i].toFixed(6)), points[split].label[i]]));
}

/** Wire the draw switch, the class (or value) to draw and the strokes on `chart` (an OutputChart). */
export function installDrawing(transport, chart) {
  const toggle = document.querySelector("#draw-points");
  const pick = document.querySelector("#draw-class");
  const value = document.querySelector("#draw-value");
  let stroke = null; // the points of the stroke in progress: [[x1, x2]]

  const fillChoices = () => { // the classes of the set on view, or a value for a regression set
    const { catalog } = getState();
    const classes = classCount(catalog, view().config);
    pick.hidden = classes === 0;
    value.hidden = classes !== 0;
    if (pick.options.length !== classes) {
      pick.replaceChildren(...Array.from({ length: classes }, (_, k) => new Option(`class ${k}`, String(k))));
    }
  };
  toggle.addEventListener("change", () => {
    chart.element.classList.toggle("drawing", toggle.checked);
    if (toggle.checked) fillChoices();
  });

  const at = (e) => {
    const a = chart.input && chart.area();
    const [x, y] = [e.offsetX, e.offsetY];
    if (!a || x < a.x || x > a.x + a.side || y < a.y || y > a.y + a.side) return null;
    return [a.planeX(x), a.planeY(y)];
  };
  chart.element.addEventListener("pointerdown", (e) => {
    if (!toggle.checked || getState().replay) return;
    const p = at(e);
    if (!p) return;
    if (e.shiftKey) {
      send((points) => points.filter(([x, y]) => Math.hypot(x - p[0], y - p[1]) > ERASE));
      return;
    }
    stroke = [p];
    chart.element.setPointerCapture(e.pointerId);
  });
  chart.element.addEventListener("pointermove", (e) => {
    const p = stroke && at(e);
    const last = stroke?.at(-1);
    if (p && Math.hypot(p[0] - last[0], p[1] - last[1]) >= STEP) stroke.push(p);
  });
  chart.element.addEventListener("pointerup", () => {
    if (!stroke) return;
    const label = pick.hidden ? Number(value.value) || 0 : Number(pick.value);
    const drawn = stroke.map(([x, y]) => [Number(x.toFixed(4)), Number(y.toFixed(4)), label]);
    stroke = null;
    send((points) => [...points, ...drawn]);
  });

  /** Send the custom set with `edit(points)` as its points, when the edit leaves a set to train on. */
  function send(edit) {
    const { catalog, config, points } = { ...getState(), config: view().config };
    const before = currentPoints(config, points);
    const after = edit(before);
    if (after.length === before.length && after.every((p, k) => p === before[k])) return; // nothing under a shift-click
    const { min_samples: low, max_samples: high } = catalog.limits;
    if (after.length < low || after.length > high) {
      toast(`A set has ${low} to ${high.toLocaleString("en-US")} points: this would leave ${after.length}.`, true);
      return;
    }
    const custom = catalog.custom_points.name;
    const dataset = config.dataset.name === custom ? { points: after }
      : { name: custom, task: taskOf(catalog, config.dataset), points: after, n_classes: config.dataset.n_classes };
    transport.configure({ dataset });
  }
}
