// The server's messages about the session, into the state: the connection, the hello, each
// frame (its scalars into the live History), the run's status, the config in force, phases.

import { History } from "./history.js";
import { errorWords, fieldWords, listWords } from "./fieldwords.js";
import { banner, dismissBanner, toast } from "./notices.js";
import { diff } from "./schema.js";
import { getState, setState, subscribe } from "./state.js";
import { passAfter } from "./unrolledsource.js";

const APPLY_MS_KEPT = 500; // how many frame-apply timings are kept

/** Listen to the transport; returns the frame statistics read by tests and bench/browser.py:
 * {framesApplied, applyMs: [ms to apply each recent frame]}. */
export function installSession(transport) {
  const stats = { framesApplied: 0, applyMs: [] };

  transport.on("open", ({ reconnected }) => {
    setState({ connection: "open" });
    if (reconnected) {
      const lost = getState().lostAtStep;
      banner(`Reconnected. The server lost the previous session${lost ? ` at step ${lost}` : ""}; a new run started with the same setup (export a run to keep it).`);
    }
  });

  transport.on("close", () => {
    const { step } = getState();
    setState({ connection: "closed", lostAtStep: step });
    banner(`Connection lost at step ${step}: reconnecting…`, true);
  });

  transport.on("hello", (m) => {
    const previous = getState().config; // null before the first hello
    setState({ catalog: m.catalog, limits: m.limits, config: m.config, status: "paused", diverged: null, run: 0, phase: null, pass: null,
      live: new History(m.catalog), historyVersion: getState().historyVersion + 1 }); // a new session: its runs start from 1
    if (previous) transport.configure(diff(previous, m.catalog.defaults)); // restore the setup after a reconnect
  });

  transport.on("frame", (f) => {
    const started = performance.now();
    stats.framesApplied += 1;
    applyFrame(f);
    transport.ack();
    stats.applyMs.push(performance.now() - started);
    if (stats.applyMs.length > APPLY_MS_KEPT) stats.applyMs.shift();
  });

  transport.on("status", (m) => {
    if (m.status === "diverged") {
      const again = getState().diverged?.step === m.step; // Play, Step or Phase ran the refused step again
      setState({ status: "diverged", diverged: m });
      showDivergence(m, again);
    } else {
      setState({ status: m.status });
      if (m.status === "paused" && m.reason === "idle") banner("Paused: no activity for a while.");
    }
  });

  transport.on("config", (m) => {
    setState({ config: m.config });
    if (m.reset && m.fields.length) toast(`Rebuilt the network: new ${listWords(m.fields.map(fieldWords))}; a new run from step 0`);
    else if (m.pending) toast("Applies after this step's update");
    if (m.reset) setState({ status: "paused", diverged: null });
  });

  transport.on("phase", (m) => setState({ phase: m, pass: passAfter(getState().pass, m) }));

  transport.on("error", (m) => toast(errorWords(m), true));

  subscribe((s, changed) => { // a reset, rebuild, preset or a step that went through: the divergence is over
    if (changed.has("diverged") && !s.diverged) dismissBanner("diverged");
  });

  return stats;
}

/** Say where the run diverged and what to do; `again`: the refused step was tried again, unchanged. */
function showDivergence(m, again) {
  const where = `a non-finite value appeared in ${m.where}`;
  if (again && m.phase === "update") { // the update overflowed: a smaller one may not
    banner(`Step ${m.step} was refused again: ${where}; the weights stay as they were. To go on, ${m.advice}, `
      + "then Play or Step again; or Reset for a new run.", true, "diverged");
    toast(`Step ${m.step} was refused again: ${m.advice}, or Reset.`, true);
  } else if (again) { // the kept weights overflow before any update: no setting lets the step through
    banner(`Step ${m.step} was refused again: ${where}, computed from the weights kept before it, so running it `
      + `again cannot help. Reset for a new run (and ${m.advice} first, or it diverges too).`, true, "diverged");
    toast(`Step ${m.step} was refused again: its weights already overflow. Reset for a new run.`, true);
  } else {
    banner(`Diverged at step ${m.step}: ${where}. The step was refused and the weights kept: ${m.advice}.`, true, "diverged");
  }
}

/** A frame into the state: its scalars and evaluations onto the live History (a new one for a
 * new run), the latest metrics, detail, grids, health and points, and the run's status. */
function applyFrame(f) {
  const s = getState();
  const newRun = f.run !== s.run;
  const live = newRun ? new History(s.catalog, f.layers.length) : s.live;
  live.appendFrame(f.scalars);
  live.appendEvaluations(f.evaluations);
  const sameLayers = JSON.stringify(f.layers) === JSON.stringify(s.layers); // keep the object: no "layers" change
  const patch = { run: f.run, step: f.step, epoch: f.epoch, layers: sameLayers ? s.layers : f.layers, live,
    metrics: f.metrics, historyVersion: s.historyVersion + 1 };
  if (f.detail) {
    patch.detail = f.detail;
    if (f.detail.output_grid) patch.grid = f.detail.output_grid;
    if (f.detail.neuron_maps) patch.maps = f.detail.neuron_maps;
    live.appendHistograms(f.step, f.detail.layers);
  }
  if (f.health) patch.health = f.health;
  if (f.status === "running" || newRun) Object.assign(patch, { phase: null, pass: null }); // no phase highlight while playing
  if (f.points !== undefined) patch.points = f.points; // a run's first frame: null for sequences, which have no plane
  if (f.points === null) Object.assign(patch, { grid: null, maps: null });
  if (newRun) patch.exportedStep = 0; // a new run has not been exported
  const over = s.diverged && f.step >= s.diverged.step; // the refused step went through since
  if (!(s.status === "diverged" && f.status === "paused" && !over)) patch.status = f.status;
  if (f.status === "running" || over) patch.diverged = null;
  setState(patch);
}
