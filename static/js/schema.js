// Reading the catalog: a config field's schema (bounds, default, description) and its choices,
// and what a config means for the panels (feature labels, classes).

const SECTIONS = { dataset: "DatasetConfig", network: "NetworkConfig", training: "TrainingConfig" };

// Which catalog list offers the choices of a config field.
const CHOICE_LISTS = {
  "dataset.name": "datasets", "dataset.features": "features", "network.init": "inits",
  "network.hidden.activation": "activations", "training.loss": "losses",
  "training.optimizer": "optimizers", "training.clip": "clips", "network.recurrent_init": "recurrent_inits",
};

/** The JSON-schema property of a dotted config path ("training.learning_rate"). */
export function fieldSchema(catalog, path) {
  const defs = catalog.schema.$defs;
  const [section, name] = path.split(".");
  if (!name) return catalog.schema.properties[section];
  if (section === "network" && name === "hidden") return defs.HiddenLayer.properties;
  return defs[SECTIONS[section]].properties[name];
}

/** [{name, description, ...}] choices for a config path, from the catalog or the schema's enum. */
export function choices(catalog, path) {
  const list = CHOICE_LISTS[path];
  if (list) return catalog.choices[list].map((c) => (typeof c === "string" ? { name: c, description: c } : c));
  const schema = fieldSchema(catalog, path);
  return (schema.enum || []).map((name) => ({ name, description: name }));
}

/** Read a dotted path from a config. */
export function getPath(config, path) {
  return path.split(".").reduce((o, k) => (o === undefined ? undefined : o[k]), config);
}

/** A partial config setting one dotted path. */
export function partial(path, value) {
  return path.split(".").reduceRight((inner, key) => ({ [key]: inner }), value);
}

/** The fields of `config` that differ from `defaults`, as a partial config (lists whole). */
export function diff(config, defaults) {
  const out = {};
  for (const [key, value] of Object.entries(config)) {
    const base = defaults[key];
    if (value && typeof value === "object" && !Array.isArray(value) && base && typeof base === "object") {
      const inner = diff(value, base);
      if (Object.keys(inner).length) out[key] = inner;
    } else if (JSON.stringify(value) !== JSON.stringify(base)) {
      out[key] = value;
    }
  }
  return out;
}

/** The first dotted path of `defaults` that `config` lacks ("dataset.features"), or null: a trace's
 * config is the whole normalized config, and the panels read it as such. */
export function missingPath(config, defaults, prefix = "") {
  for (const [key, base] of Object.entries(defaults)) {
    const path = `${prefix}${key}`;
    if (!config || typeof config !== "object" || !(key in config)) return path;
    if (base && typeof base === "object" && !Array.isArray(base)) {
      const inner = missingPath(config[key], base, `${path}.`);
      if (inner) return inner;
    }
  }
  return null;
}

/** Every input feature the lab offers, in the catalog's order, and whether the config feeds it to
 * the net: [{name, label (x₁, sin(x₂), ...), row (its row of the first layer's W, or -1: off)}];
 * for a sequence set, its channels (each fed to its row of W_x). */
export function inputFeatures(catalog, config) {
  const { channels } = catalog.choices.datasets.find((d) => d.name === config.dataset.name);
  if (channels) return channels.map((name, row) => ({ name, label: name, row }));
  return catalog.choices.features.map(({ name, label }) => ({ name, label, row: config.dataset.features.indexOf(name) }));
}

/** The task of a config's dataset: the catalog's, or the custom set's own (its config says it). */
export function taskOf(catalog, dataset) {
  return dataset.task ?? catalog.choices.datasets.find((d) => d.name === dataset.name).task;
}

/** How many classes a config's dataset has; 0 for a regression set. */
export function classCount(catalog, config) {
  return taskOf(catalog, config.dataset) === "regression" ? 0 : config.dataset.n_classes;
}
