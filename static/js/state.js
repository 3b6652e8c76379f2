// One state object for the page: setState merges a patch and tells every subscriber what changed.

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
  phase: null, // the last phase message
  replay: null, // {trace, history, snapshots, index} while viewing an imported trace
  ghost: null, // an imported trace's History, drawn faintly on the live charts
  exportedStep: 0, // the step of the last export (a reload before exporting warns)
  historyVersion: 0, // bumped when the live History gains rows
};

const subscribers = [];

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

export function subscribe(fn) {
  subscribers.push(fn);
}
