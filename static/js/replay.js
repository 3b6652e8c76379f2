// Import and replay: a trace file is checked by the server's validator (POST /api/trace/check),
// then the whole page shows it instead of the live run (replay mode): Step and Play move through
// its snapshots, the live run's own controls are disabled, and "Back to live run" restores it.

import { banner } from "./notices.js";
import { missingPath } from "./schema.js";
import { getState, setState, subscribe } from "./state.js";
import { fromTrace } from "./trace.js";

const $ = (selector) => document.querySelector(selector);
const MB = 2 ** 20;
const PLAY_MS = 600; // how long each snapshot is on show while the trace plays
const LIVE_ONLY = "[data-action=reset], [data-action=phase], #speed, [data-action=export], #preset, [data-action=preset-run]";
const LIVE_ONLY_WHY = "Not while replaying a trace: press “Back to live run” first";

/** The server's verdict on a trace file: {ok: true, steps, layers, snapshots} or {ok: false, where, message}. */
async function checkTrace(file) {
  const response = await fetch("/api/trace/check", { method: "POST", body: file, headers: { "Content-Type": "application/json" } });
  return response.json();
}

/** Show the snapshot on show in the bar: the slider's place and "step N (k of n)". */
function showSnapshot(replay) {
  const slider = $("#replay-slider");
  slider.max = Math.max(0, replay.snapshots.length - 1);
  slider.value = replay.index;
  slider.disabled = replay.snapshots.length < 2;
  const snapshot = replay.snapshots[replay.index];
  $("#replay-step").textContent = snapshot
    ? `step ${snapshot.step.toLocaleString("en-US")} (${replay.index + 1} of ${replay.snapshots.length})`
    : "step — (no snapshots)";
}

/** Whether the page's lesson locks the setup (then the preset menu stays disabled). */
const setupLocked = () => Boolean(getState().lesson?.lock.includes("setup"));

/** Disable (in replay) or restore (live) the controls that act on the live run, saying why. */
function disableLiveControls(replaying) {
  for (const control of document.querySelectorAll(LIVE_ONLY)) {
    if (replaying && !control.disabled) {
      control.dataset.liveTitle = control.getAttribute("title") ?? "";
      control.title = LIVE_ONLY_WHY;
    } else if (!replaying && "liveTitle" in control.dataset) {
      if (control.dataset.liveTitle) control.title = control.dataset.liveTitle;
      else control.removeAttribute("title");
      delete control.dataset.liveTitle;
    }
    control.disabled = replaying || (control.id === "preset" && setupLocked());
  }
}

/** Read a trace file into replay mode (pausing the live run) once the server's validator passed
 * it, or say in the banner why not. */
async function importFile(file, transport, playback) {
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
  playback.pause();
  const replay = { trace, name: file.name, ...fromTrace(trace, catalog, file.name), playing: false };
  replay.index = Math.max(0, replay.snapshots.length - 1);
  setState({ replay });
  const { step } = getState();
  const steps = replay.history.n.toLocaleString("en-US");
  banner(`Replaying ${file.name}: ${steps} recorded steps, ${replay.snapshots.length} snapshots. Step ⇥ and ▶ Play move `
    + `through its snapshots; your live run waits, paused at step ${step.toLocaleString("en-US")}, until you go back to it.`);
}

/** Step and play through the trace's snapshots: {step, play, pause}, for the bar's buttons and keys. */
function tracePlayback() {
  let timer = null;
  const show = (index, playing) => setState({ replay: { ...getState().replay, index, playing } });
  const playback = {
    step() {
      const { replay } = getState();
      if (!replay.snapshots.length) return;
      const next = Math.min(replay.index + 1, replay.snapshots.length - 1);
      const atEnd = next === replay.snapshots.length - 1;
      if (atEnd) clearInterval(timer);
      show(next, replay.playing && !atEnd);
    },
    play() {
      const { replay } = getState();
      if (replay.snapshots.length < 2) return;
      show(replay.index >= replay.snapshots.length - 1 ? 0 : replay.index, true); // from the start once at the end
      clearInterval(timer);
      timer = setInterval(playback.step, PLAY_MS);
    },
    pause() {
      clearInterval(timer);
      timer = null;
      if (getState().replay?.playing) show(getState().replay.index, false);
    },
  };
  return playback;
}

/** Wire the import file input and the replay bar (snapshot slider, ghost overlay, back to the
 * live run); returns the trace's playback {step, play, pause}. */
export function installReplay(transport) {
  const playback = tracePlayback();
  $("#import-file").addEventListener("change", (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (file) importFile(file, transport, playback);
  });
  $("#replay-slider").addEventListener("input", (e) => {
    playback.pause();
    setState({ replay: { ...getState().replay, index: Number(e.target.value) } });
  });
  $("#ghost-toggle").addEventListener("change", (e) => {
    const { replay } = getState();
    setState({ ghost: e.target.checked && replay ? replay.history : null });
  });
  $("#replay-close").addEventListener("click", () => {
    playback.pause();
    setState({ replay: null });
    banner(null);
  });
  subscribe((s, changed) => {
    if (!changed.has("replay")) return;
    $("#replay-bar").hidden = !s.replay;
    disableLiveControls(Boolean(s.replay));
    for (const action of ["play", "step"]) $(`[data-action=${action}]`).disabled = Boolean(s.replay && s.replay.snapshots.length < 2);
    if (!s.replay) return;
    $("#replay-title").textContent = s.replay.name;
    showSnapshot(s.replay);
  });
  return playback;
}
