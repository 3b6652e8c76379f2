// The setup panels (data, features, network, training), built from the server's catalog.
// A change sends a partial config at once; `render(config)` shows the config in force.

import { fitData } from "./datafit.js";
import { el } from "./dom.js";
import { FieldNotes } from "./fieldnotes.js";
import { Fold } from "./folds.js";
import { withLayerAdded, withLayerRemoved } from "./hiddenlayers.js";
import { configKind, drawnSets, NetworkMemory } from "./inputkind.js";
import { kindActivations, layerCard } from "./layercard.js";
import { choices, fieldSchema, getPath, partial, taskOf } from "./schema.js";
import { uploadPoints, uploadTile } from "./pointsupload.js";
import { drawThumbnail } from "./thumbnails.js";

export class Controls {
  /** @param send: (partialConfig) => the message's id */
  constructor(catalog, send) {
    this.catalog = catalog;
    this.send = send;
    this.bindings = []; // {path, write(config)}
    this.notes = new FieldNotes(); // messages beside the fields
    this.config = null;
    this.memory = new NetworkMemory(catalog); // each input kind's last network
    this.folds = []; // the settings a beginner rarely needs, one "more" per group
    this.buildData(document.querySelector("#group-data .group-body"));
    this.buildFeatures(document.querySelector("#group-features .group-body"));
    this.buildNetwork(document.querySelector("#group-network .group-body"));
    this.buildTraining(document.querySelector("#group-training .group-body"));
  }

  /** Show the config in force in every control. */
  render(config) {
    this.config = config;
    this.memory.remember(config);
    for (const b of this.bindings) b.write(config);
    for (const fold of this.folds) fold.show(config, this.catalog.defaults);
  }

  /** A closed "more" in a group: the body its fields go into. */
  fold(groupBody, id, what) {
    const fold = new Fold(groupBody, id, what);
    this.folds.push(fold);
    return fold.body;
  }

  /** Send a person's change (a change of the data with the network and loss that fit it, saying so). */
  change(path, value) {
    this.changeData(partial(path, value));
  }

  /** Send a partial config (completed as `change` says) with `more` notes beside their fields. */
  changeData(asked, more = {}) {
    const kind = this.memory.fit(this.config, asked);
    const { change, notes } = fitData(this.catalog, this.config, kind.change);
    this.notes.expect(this.send(change), { ...kind.notes, ...notes, ...more });
  }

  /** The config reply to message `id`: its notes beside their fields. */
  applied(id) {
    this.notes.applied(id);
  }

  /** An error reply `m`: its message beside the field at fault, which shows the value in force. */
  refused(m) {
    if (!m.field) return; // not about a field (nor, then, about a change made here)
    const text = m.message.startsWith(`${m.field}: `) ? m.message.slice(m.field.length + 2) : m.message;
    const value = getPath(this.config, m.field);
    this.notes.refused(m.id, m.field, typeof value === "object" || value === undefined ? text : `${text}; still ${value}`);
  }

  // ---- generic fields ----------------------------------------------------------------------
  field(container, path, label, input, output) {
    const schema = fieldSchema(this.catalog, path) || {};
    const row = el("div", { class: "field", title: schema.description || "" },
      el("label", { text: label, for: `field-${path}` }), output ? el("div", {}, input, output) : input);
    input.id = `field-${path}`;
    input.dataset.field = path;
    container.append(row);
    this.notes.add(path, row);
    return row;
  }

  select(container, path, label, onWrite) {
    const input = el("select");
    for (const c of choices(this.catalog, path)) {
      input.append(el("option", { value: c.name, title: c.description, text: c.name.replaceAll("_", " ") }));
    }
    input.addEventListener("change", () => this.change(path, input.value));
    const row = this.field(container, path, label, input);
    this.bindings.push({ path, write: (config) => {
      input.value = getPath(config, path);
      if (onWrite) onWrite(config, row);
    } });
    return row;
  }

  number(container, path, label, { step = "any", integer = false, onWrite } = {}) {
    const field = fieldSchema(this.catalog, path);
    const schema = field.anyOf?.find((s) => s.type !== "null") ?? field; // an optional field's bounds
    const input = el("input", { type: "number", step });
    if (schema.minimum !== undefined) input.min = schema.minimum;
    if (schema.maximum !== undefined) input.max = schema.maximum;
    let typing = false; // a value typed and not yet confirmed (Enter, Tab) is not overwritten
    input.addEventListener("input", () => { typing = true; });
    input.addEventListener("blur", () => { typing = false; });
    input.addEventListener("change", () => {
      typing = false;
      const problem = numberProblem(input.value, integer);
      if (!problem) {
        this.change(path, Number(input.value));
        return;
      }
      input.value = getPath(this.config, path); // the value in force, with why the typed one is not
      this.notes.refused(null, path, `${problem}; still ${input.value}`);
    });
    const row = this.field(container, path, label, input);
    this.bindings.push({ path, write: (config) => {
      if (!typing) input.value = getPath(config, path);
      if (onWrite) onWrite(config, row);
    } });
    return row;
  }

  range(container, path, label, step, { onWrite } = {}) {
    const schema = fieldSchema(this.catalog, path);
    const input = el("input", { type: "range", min: schema.minimum, max: schema.maximum, step });
    const output = el("output");
    input.addEventListener("input", () => { output.textContent = input.value; });
    input.addEventListener("change", () => this.change(path, parseFloat(input.value)));
    const row = this.field(container, path, label, input, output);
    this.bindings.push({ path, write: (config) => {
      input.value = getPath(config, path);
      output.textContent = input.value;
      if (onWrite) onWrite(config, row);
    } });
  }

  checkbox(container, path, label) {
    const input = el("input", { type: "checkbox" });
    input.addEventListener("change", () => this.change(path, input.checked));
    this.field(container, path, label, input);
    this.bindings.push({ path, write: (config) => { input.checked = getPath(config, path); } });
  }

  // ---- groups ------------------------------------------------------------------------------
  buildData(body) {
    const thumbs = el("div", { class: "thumbs", role: "group", "aria-label": "Dataset" });
    for (const d of drawnSets(this.catalog)) {
      if (!d.preview) continue; // the custom set: its tile uploads a file
      const canvas = el("canvas", { width: 52, height: 52 });
      drawThumbnail(canvas, d);
      const button = el("button", { class: "thumb", title: d.description, "data-dataset": d.name,
        onclick: () => this.change("dataset.name", d.name) }, canvas, el("span", { text: d.name }));
      thumbs.append(button);
    }
    thumbs.append(...uploadTile(this.catalog, (file) => uploadPoints(file, this.catalog, this.config,
      (change, notes) => this.changeData(change, notes))));
    body.append(thumbs);
    this.bindings.push({ path: "dataset.name", write: (config) => {
      for (const b of thumbs.children) b.setAttribute("aria-pressed", b.dataset.dataset === config.dataset.name);
    } });
    this.number(body, "dataset.seq_len", "Sequence length", { step: 1, integer: true, onWrite: (config, row) => {
      row.hidden = configKind(this.catalog, config) !== "sequence";
    } });
    const custom = (config) => config.dataset.name === this.catalog.custom_points.name;
    this.range(body, "dataset.noise", "Noise", 1, { onWrite: (config, row) => { row.hidden = custom(config); } });
    this.range(body, "dataset.train_fraction", "Train fraction", 0.05);
    this.number(body, "dataset.n_classes", "Classes", { step: 1, integer: true, onWrite: (config, row) => {
      const spec = this.catalog.choices.datasets.find((d) => d.name === config.dataset.name);
      row.querySelector("input").max = spec.max_classes; // the set's own (the schema's bound is an image set's)
      row.hidden = custom(config) || !(taskOf(this.catalog, config.dataset) === "classification" && spec.max_classes > 2);
    } });
    const seedRow = el("div", { class: "net-actions" },
      el("button", { text: "⟳ Regenerate", "data-action": "regenerate", title: "New data and weights: a new seed",
        onclick: () => this.change("seed", Math.floor(Math.random() * 2 ** 31)) }));
    body.append(seedRow);
    const more = this.fold(body, "more-data", "samples, seed");
    this.number(more, "dataset.n_samples", "Samples", { step: 10, integer: true, onWrite: (config, row) => { row.hidden = custom(config); } });
    this.number(more, "seed", "Seed", { step: 1, integer: true });
  }

  buildFeatures(body) {
    const box = el("div", { class: "checks" });
    for (const f of this.catalog.choices.features) {
      const input = el("input", { type: "checkbox", "data-feature": f.name });
      input.addEventListener("change", () => {
        const chosen = this.catalog.choices.features.map((c) => c.name)
          .filter((name) => box.querySelector(`[data-feature=${name}]`).checked);
        if (chosen.length) this.change("dataset.features", chosen);
        else input.checked = true; // at least one input
      });
      box.append(el("label", { title: f.description }, input, f.label));
    }
    body.append(box);
    this.bindings.push({ path: "dataset.features", write: (config) => {
      for (const input of box.querySelectorAll("input")) input.checked = config.dataset.features.includes(input.dataset.feature);
    } });
    this.checkbox(body, "dataset.standardize", "Standardize inputs");
  }

  buildNetwork(body) {
    const editor = el("div", { class: "net-editor", "data-testid": "network-editor" });
    const count = el("span", { "data-testid": "hidden-count" });
    const allActivation = el("select", { title: "Set every hidden layer's activation" },
      el("option", { value: "", text: "all layers…" }),
      ...choices(this.catalog, "network.hidden.activation").map((c) => el("option", { value: c.name, text: c.name })));
    allActivation.addEventListener("change", () => {
      if (!allActivation.value) return;
      const takes = (l) => kindActivations(this.catalog, l.kind).includes(allActivation.value);
      this.sendHidden(this.config.network.hidden.map((l) => (takes(l) ? { ...l, activation: allActivation.value } : l)));
      allActivation.value = "";
    });
    const most = this.catalog.limits.max_hidden_layers;
    const add = el("button", { text: "+ layer", "data-action": "add-layer",
      onclick: () => this.sendHidden(withLayerAdded(this.config.network.hidden)) });
    const remove = el("button", { text: "− layer", "data-action": "remove-layer",
      onclick: () => this.sendHidden(withLayerRemoved(this.config.network.hidden)) });
    body.append(el("div", { class: "net-actions" }, add, remove, count, allActivation), editor);
    this.bindings.push({ path: "network.hidden", write: (config) => {
      const hidden = config.network.hidden;
      const full = hidden.length >= most;
      add.disabled = full;
      add.title = full ? `${most} hidden layers is the most the lab trains` : "Add a layer like the last one";
      remove.disabled = !hidden.length;
      count.textContent = `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}${full ? ` (the most: ${most})` : ""}`;
      const kind = configKind(this.catalog, config);
      editor.replaceChildren(...hidden.map((_, k) => layerCard(this.catalog, kind, hidden, k, (h) => this.sendHidden(h))));
    } });
    this.select(body, "network.init", "Init");
    // a recurrent net's own fields, shown where the config in force has them
    const shownIfSet = (path) => (config, row) => { row.hidden = getPath(config, path) === undefined; };
    this.select(body, "network.recurrent_init", "Recurrent init", shownIfSet("network.recurrent_init"));
    this.number(body, "network.forget_bias", "Forget bias", { step: 0.5, onWrite: shownIfSet("network.forget_bias") });
    this.checkbox(body, "network.batch_norm", "Batch norm");
    this.checkbox(body, "network.residual", "Residual connections");
    const more = this.fold(body, "more-network", "init gain and bias, dropout");
    this.number(more, "network.init_gain", "Init gain", { step: 0.1 });
    this.number(more, "network.bias_init", "Bias init", { step: 0.1 });
    this.range(more, "network.dropout", "Dropout", 0.05);
  }

  sendHidden(hidden) {
    this.send({ network: { hidden } });
  }

  buildTraining(body) {
    this.select(body, "training.loss", "Loss");
    this.select(body, "training.optimizer", "Optimizer", () => this.showOptimizerFields());
    this.number(body, "training.learning_rate", "Learning rate", { step: 0.001 });
    this.number(body, "training.batch_size", "Batch size", { step: 1, integer: true });
    const more = this.fold(body, "more-training", "optimizer constants, penalties, clipping, precision");
    this.optimizerRows = {};
    for (const [name, label] of [["momentum", "Momentum"], ["rho", "RMSprop ρ"], ["beta1", "Adam β₁"],
      ["beta2", "Adam β₂"], ["eps", "ε"], ["weight_decay", "Weight decay"]]) {
      this.optimizerRows[name] = this.number(more, `training.${name}`, label, { step: 0.001 });
    }
    this.number(more, "training.l1", "L1", { step: 0.001 });
    this.number(more, "training.l2", "L2", { step: 0.001 });
    this.select(more, "training.clip", "Gradient clipping", (config, row) => {
      this.thresholdRow.hidden = config.training.clip === "none";
    });
    this.thresholdRow = this.number(more, "training.clip_threshold", "Clip threshold", { step: 0.1 });
    this.select(more, "training.dtype", "Precision");
  }

  showOptimizerFields() {
    const spec = this.catalog.choices.optimizers.find((o) => o.name === this.config.training.optimizer);
    for (const [name, row] of Object.entries(this.optimizerRows)) row.hidden = !spec.reads.includes(name);
  }
}

/** What is wrong with a number field's `text` (empty when the browser could not read it as a
 * number), or null. */
function numberProblem(text, integer) {
  const value = Number(text);
  if (text.trim() === "") return "needs a number";
  if (!Number.isFinite(value)) return `must be finite (got ${text})`;
  if (integer && !Number.isInteger(value)) return `must be a whole number (got ${text})`;
  return null;
}
