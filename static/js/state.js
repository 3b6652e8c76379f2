// One state object for the page: setState merges a patch and tells every subscriber what changed;
// view() says what the panels show (the live run, or an imported trace at its chosen snapshot).

const state = {
  connection: "connecting", // connecting | open | closed
  catalog: null,
  limits: null,
  config: null, // the normalized config in force
  status: "paused", // paused | running | diverged
  diverged: null, // {step, layer_name, quantity, phase, advice}
  run: 0,
  step: 0,
  epoch: 0,
  layers: [],
  metrics: null,
  detail: null, // the latest frame's detail (or the replayed snapshot's)
  points: null, // {train, test}: {x, y, label}
  grid: null, // the latest output grid (heavy: not in every frame)
  maps: null, // the latest neuron maps (heavy)
  health: null, // the latest health badges (heavy)
  highlight: null, // names of the layers a selected badge concerns
  smoothing: 0.6, // the noisy step charts' smoothing weight in [0, 0.99] (0: raw lines only); changes the drawing, not the data
  phase: null, // the last phase message
  pass: null, // the phase-by-phase step in progress as its recurrent phases computed it (unrolledsource.js, passAfter)
  replay: null, // {trace, history, snapshots, index, lastStep, playing} while viewing an imported trace
  ghost: null, // an imported trace's History, drawn faintly on the live charts
  exportedStep: 0, // the step of the last export (a reload before exporting warns)
  live: null, // the live run's History of every-step scalars (a new one per session and per run)
  historyVersion: 0, // bumped when the live History gains rows
  lostAtStep: null, // the step the last lost connection had reached
  resumeWhenVisible: false, // training was paused because the tab was hidden: play again when shown
  gradcheck: null, // the latest `gradcheck` reply of this run (instruments.js)
  line: null, // the latest `line` reply of this run
  sharpness: { run: 0, points: [] }, // a run's `sharpness` replies, in the order of their steps
  lesson: null, // a lesson link's {hide: [part names], lock: ["setup"]} (lesson.js), or null
};

const subscribers = [];

/** The whole state (read it; change it only through setState). */
export function getState() {
  return state;
}

/** Merge a patch into the state and notify subscribers with the set of changed keys. */
export function setState(patch) {
  const changed = new Set();
  for (const [key, value] of Object.entries(patch)) {
    if (state[key] !== value) {
      state[key] = value;
      changed.add(key);
    }
  }
  if (changed.size) for (const fn of subscribers) fn(state, changed);
}

/** Call fn(state, changedKeys) after every change. */
export function subscribe(fn) {
  subscribers.push(fn);
}

/** What the page shows: the live run, or the imported trace at the chosen snapshot (what an
 * older trace lacks is null): {step, epoch, metrics, health, history, layers, detail, config,
 * grid, maps, points, phase}. */
export function view() {
  const s = state;
  if (s.replay) {
    const snapshot = s.replay.snapshots[s.replay.index];
    const detail = snapshot?.detail ?? null;
    return { step: snapshot?.step ?? s.replay.lastStep, epoch: snapshot?.epoch ?? null, metrics: snapshot?.metrics ?? null,
      health: snapshot?.health ?? null, history: s.replay.history, layers: s.replay.trace.layers, detail,
      config: snapshot?.config ?? s.replay.trace.config, grid: detail?.output_grid, maps: detail?.neuron_maps,
      points: s.replay.points, phase: null };
  }
  return { step: s.step, epoch: s.epoch, metrics: s.metrics, health: s.health, history: s.live, layers: s.layers,
    detail: s.detail, config: s.config, grid: s.grid, maps: s.maps, points: s.points, phase: s.phase };
}
