// Import and replay: a trace file is checked by the server's validator (POST /api/trace/check),
// then shown in the panels instead of the live run, one snapshot at a time, or overlaid as a ghost.

import { banner } from "./notices.js";
import { missingPath } from "./schema.js";
import { getState, setState } from "./state.js";
import { fromTrace } from "./trace.js";

const $ = (selector) => document.querySelector(selector);
const MB = 2 ** 20;

/** The server's verdict on a trace file: {ok: true, steps, layers, snapshots} or {ok: false, where, message}. */
async function checkTrace(file) {
  const response = await fetch("/api/trace/check", { method: "POST", body: file, headers: { "Content-Type": "application/json" } });
  return response.json();
}

/** Show the replay bar for `replay`: its file name and a slider over its snapshots. */
function showReplayBar(replay) {
  $("#replay-bar").hidden = false;
  $("#replay-title").textContent = replay.name;
  const slider = $("#replay-slider");
  slider.max = Math.max(0, replay.snapshots.length - 1);
  slider.value = replay.index;
  showSnapshotStep(replay);
}

/** The step of the snapshot on show, beside the slider. */
function showSnapshotStep(replay) {
  $("#replay-step").textContent = `step ${replay.snapshots[replay.index]?.step ?? "—"}`;
}

/** Read a trace file into the replay state (pausing training) once the server's validator passed it,
 * or say in the banner why not. */
async function importFile(file, transport) {
  const { catalog } = getState();
  if (file.size > catalog.max_trace_bytes) {
    banner(`${file.name} is ${(file.size / MB).toFixed(0)} MB; traces are limited to ${catalog.max_trace_bytes / MB} MB.`, true);
    return;
  }
  let verdict;
  try {
    verdict = await checkTrace(file);
  } catch (err) {
    banner(`${file.name} could not be checked: ${err.message}`, true);
    return;
  }
  const trace = verdict.ok ? JSON.parse(await file.text()) : null;
  const missing = trace && missingPath(trace.config, catalog.defaults); // the panels read the whole config, as exported
  if (!verdict.ok || missing) {
    const why = verdict.ok ? `config.${missing}: missing` : verdict.where ? `${verdict.where}: ${verdict.message}` : verdict.message;
    banner(`${file.name} is not a valid Backprop Lab trace: ${why}`, true);
    return;
  }
  if (getState().status === "running") transport.pause();
  const replay = { trace, name: file.name, ...fromTrace(trace, catalog, file.name) };
  replay.index = Math.max(0, replay.snapshots.length - 1);
  setState({ replay });
  showReplayBar(replay);
  banner(`Viewing ${file.name}: ${replay.history.n.toLocaleString("en-US")} recorded steps, ${replay.snapshots.length} snapshots. Nothing trains while you look.`);
}

/** Wire the import file input and the replay bar (snapshot slider, ghost overlay, back to live). */
export function installReplay(transport) {
  $("#import-file").addEventListener("change", (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (file) importFile(file, transport);
  });
  $("#replay-slider").addEventListener("input", (e) => {
    const replay = { ...getState().replay, index: Number(e.target.value) };
    setState({ replay });
    showSnapshotStep(replay);
  });
  $("#ghost-toggle").addEventListener("change", (e) => {
    const { replay } = getState();
    setState({ ghost: e.target.checked && replay ? replay.history : null });
  });
  $("#replay-close").addEventListener("click", () => {
    setState({ replay: null });
    $("#replay-bar").hidden = true;
    banner(null);
  });
}
