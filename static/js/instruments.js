// The instruments (docs/design.md, "Instruments"), measured by the server while their fold is
// open: the gradient check on a click, the loss along the step on each refreshed frame (one
// request at a time), the sharpness tracked every N steps by the server; the current run's
// replies go into the state (a reply may come before the frame of the new run it measured), and a
// new run starts them afresh.

import { getState, setState, subscribe } from "./state.js";

const $ = (selector) => document.querySelector(selector);
const DEFAULT_EVERY = 25;

/** Wire the instruments' fold, button and field to the transport, and their replies to the state. */
export function installInstruments(transport) {
  const fold = $("#instruments");
  const every = $("#sharpness-every");
  let lineWaiting = null; // the id of the `line` request not yet answered
  const fresh = (m) => m.run >= getState().run; // of this run, or of the next one (its frame to come)
  const measuring = () => fold.open && !getState().replay;
  const steps = () => Math.max(1, Math.min(100000, Math.round(Number(every.value)) || DEFAULT_EVERY));
  const askLine = () => {
    if (measuring() && lineWaiting === null && getState().step > 0) lineWaiting = transport.send("line");
  };
  const track = () => {
    every.value = steps();
    transport.send("sharpness", { every: measuring() ? steps() : 0 });
  };

  $("[data-action=gradcheck]").addEventListener("click", () => transport.send("gradcheck"));
  fold.addEventListener("toggle", () => {
    track();
    askLine();
  });
  every.addEventListener("change", track);
  transport.on("hello", () => { // a new session: nothing measured or waiting, and it tracks nothing yet
    lineWaiting = null;
    setState({ gradcheck: null, line: null, sharpness: { run: 0, points: [] } });
    if (fold.open) track();
  });
  transport.on("frame", (f) => {
    if (f.health && f.step !== getState().line?.step) askLine(); // a refreshed frame of a new step
  });
  transport.on("line", (m) => {
    if (m.id === lineWaiting || m.superseded.includes(lineWaiting)) lineWaiting = null;
    if (fresh(m)) setState({ line: m });
  });
  transport.on("error", (m) => {
    if (m.id !== undefined && m.id === lineWaiting) lineWaiting = null; // e.g. in the middle of a phase-by-phase step
  });
  transport.on("gradcheck", (m) => {
    if (fresh(m)) setState({ gradcheck: m });
  });
  transport.on("sharpness", (m) => {
    const held = getState().sharpness;
    if (m.run < held.run) return;
    const kept = m.run === held.run ? held.points.filter((p) => p.step !== m.step) : [];
    setState({ sharpness: { run: m.run, points: [...kept, m].sort((a, b) => a.step - b.step) } });
  });
  subscribe((s, changed) => { // a new run: what measured an earlier one goes
    if (!changed.has("run")) return;
    const patch = {};
    if (s.gradcheck && s.gradcheck.run < s.run) patch.gradcheck = null;
    if (s.line && s.line.run < s.run) patch.line = null;
    if (s.sharpness.run < s.run) patch.sharpness = { run: s.run, points: [] };
    setState(patch);
  });
}
