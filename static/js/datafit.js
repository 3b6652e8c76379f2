// A change of the data (the dataset, its number of classes) with the loss that fits it, so that
// such a change is never refused, and notes saying what changed along with it.

import { taskOf } from "./schema.js";

/** A choice's name as its menu shows it ("cross entropy"). */
const shown = (name) => name.replaceAll("_", " ");

/** Whether `loss` (a catalog loss) can train on a set of `task` with `classes` classes. */
function fits(loss, task, classes) {
  return loss.tasks.includes(task) && (task !== "classification" || classes <= loss.max_classes);
}

/** Why the loss had to change for dataset `spec` with `classes` classes. */
function reason(current, spec, classes) {
  if (!current.tasks.includes(spec.task)) return `${spec.name} is a ${spec.task} set, which ${shown(current.name)} cannot fit`;
  if (!fits(current, spec.task, classes)) return `${shown(current.name)} separates ${current.max_classes} classes, not ${classes}`;
  return `${spec.name} is a ${spec.task} set`;
}

/** `change` (a partial config) completed so that the data it asks for fits: a new dataset's class
 * count within its most, and the loss that fits the data. The loss in force stays while it fits a
 * set of the same task; otherwise it becomes the catalog's default loss if that fits, else the first
 * that does. Returns {change, notes: {path: what changed there and why}}. */
export function fitData(catalog, config, change) {
  const asked = change.dataset ?? {};
  if (!("name" in asked) && !("n_classes" in asked)) return { change, notes: {} };
  const datasets = catalog.choices.datasets;
  const name = asked.name ?? config.dataset.name;
  const task = asked.task ?? (asked.name ? undefined : config.dataset.task); // the custom set's own
  const spec = { ...datasets.find((d) => d.name === name), ...(task ? { task } : {}) };
  const was = { task: taskOf(catalog, config.dataset) };
  let classes = asked.n_classes ?? config.dataset.n_classes;
  const notes = {};
  const fitted = { ...change, dataset: { ...asked } };
  if ("name" in asked && spec.task === "classification" && classes > spec.max_classes) {
    classes = spec.max_classes;
    fitted.dataset.n_classes = classes;
    notes["dataset.n_classes"] = `now ${classes}: ${spec.name} has at most ${spec.max_classes} classes`;
  }
  const losses = catalog.choices.losses;
  const current = losses.find((l) => l.name === config.training.loss);
  const preferred = losses.find((l) => l.name === catalog.defaults.training.loss);
  const keep = fits(current, spec.task, classes) && spec.task === was.task;
  const loss = keep ? current : [preferred, ...losses].find((l) => fits(l, spec.task, classes));
  if (loss && loss !== current) { // none fits: the server names what is wrong
    fitted.training = { ...change.training, loss: loss.name };
    notes["training.loss"] = `now ${shown(loss.name)}: ${reason(current, spec, classes)}`;
  }
  return { change: fitted, notes };
}
