// Editing the net where it is drawn: the bar over the network diagram adds and removes layers and
// neurons, a click on an input feature takes it out or feeds it to the net (each a rebuild), and a
// click on a link explains that weight's gradient and opens the weight editor on it (a live edit:
// `set_param`). A trace on view is read-only: no edit, no explain.

import { DiagramBar } from "./diagrambar.js";
import { toast } from "./notices.js";
import { decode } from "./packed.js";
import { getState, subscribe, view } from "./state.js";
import { WeightEditor } from "./weighteditor.js";

/** W[row, column] of entry `layer` in a frame's detail (a summarized tensor holds only some rows
 * and columns: NaN for the others). */
function weightAt(detail, layer, row, column) {
  const t = detail?.layers[layer]?.weights;
  if (!t) return NaN;
  const { values, shape } = decode(t.values);
  const [r, c] = t.summarized ? [t.summarized.rows.indexOf(row), t.summarized.cols.indexOf(column)] : [row, column];
  return r < 0 || c < 0 ? NaN : values[r * shape[1] + c];
}

/** Wire the diagram's bar and weight editor to the transport and the network chart. */
export function installDiagramEdits(transport, network) {
  const bar = new DiagramBar(document.querySelector("#diagram-bar"), (hidden) => transport.configure({ network: { hidden } }));
  const editor = new WeightEditor(network.element, (edit) => transport.send("set_param", edit));
  network.onPaint = (columns) => bar.place(columns, network.scene.columns.length);
  network.onLinkClick = (link) => {
    if (getState().replay) return; // a trace's weights have no live step to explain or set
    const [layer, row, column] = link.cd;
    transport.send("explain", { layer, row, column, example: 0 });
    editor.open(layer, view().layers[layer].name, link.param, [row, column], weightAt(view().detail, layer, row, column));
  };
  network.onInputClick = (feature) => {
    const { replay, catalog, config } = getState();
    if (replay) return;
    const on = new Set(config.dataset.features);
    if (on.has(feature.name) && on.size === 1) {
      toast(`${feature.label} is the only input: feed another to the net before taking it out`, true);
      return;
    }
    if (on.has(feature.name)) on.delete(feature.name);
    else on.add(feature.name);
    transport.configure({ dataset: { features: catalog.choices.features.map((f) => f.name).filter((name) => on.has(name)) } });
  };
  subscribe((s, changed) => {
    if ((changed.has("config") || changed.has("replay")) && view().config) {
      bar.render(view().config.network.hidden, s.catalog.limits, !s.replay);
    }
    if (changed.has("replay") || changed.has("run")) editor.close(); // its weight is not on view any more
    if (changed.has("replay")) network.readOnly = Boolean(s.replay);
  });
  transport.on("param", (m) => {
    if (!editor.applied(m.id)) return;
    const when = m.pending ? "after this step's update" : `at step ${m.step.toLocaleString("en-US")}`;
    toast(`Set ${m.layer_name} ${m.param}[${m.index.join(", ")}] to ${m.value} ${when}: a live edit, kept in the trace's events`);
  });
  transport.on("error", (m) => editor.refused(m.id, m.message));
}
