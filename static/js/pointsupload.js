// Your own points (issue 16): the "your data" tile opens a CSV file, which the server reads
// (POST /api/points/csv) and, when it is bad, names the line at fault; nothing changes then. Good
// points become the custom set's config: moved into the plane when they fall outside it, with a
// batch size and a loss that fit them, each change said beside its field.

import { el } from "./dom.js";
import { toast } from "./notices.js";

const MB = 2 ** 20;

/** The server's reading of `file`: {ok: true, dataset} or {ok: false, line, message}. */
async function readCsv(file) {
  const response = await fetch("/api/points/csv", { method: "POST", body: file, headers: { "Content-Type": "text/csv" } });
  return response.json();
}

/** The points [[x1, x2, y]] scaled about the origin by one factor so that every one lies in the
 * plane (|x| ≤ 5 of its ±6), to 6 decimals, or as they are when they all do: {points, factor}. */
export function intoPlane(points, extent) {
  const largest = Math.max(...points.map(([a, b]) => Math.max(Math.abs(a), Math.abs(b))));
  if (largest <= extent[1]) return { points, factor: 1 };
  const factor = (5 / 6) * extent[1] / largest;
  const round = (v) => Math.round(v * 1e6) / 1e6; // a micro-unit of the plane: no one sees less
  return { points: points.map(([a, b, y]) => [round(a * factor), round(b * factor), y]), factor };
}

/** The partial config that trains on `dataset` (the server's reading) from `config`, its notes
 * beside the fields it changed, and the factor that brought the points into the plane. */
export function customChange(catalog, config, dataset) {
  const { points, factor } = intoPlane(dataset.points, catalog.plane.extent);
  const change = { dataset: { ...dataset, points }, training: {} };
  const notes = {};
  const train = Math.max(1, Math.min(points.length - 1, Math.round(points.length * config.dataset.train_fraction)));
  if (config.training.batch_size > train) {
    change.training.batch_size = train;
    notes["training.batch_size"] = `now ${train}: your set trains on ${train} points`;
  }
  return { change, notes, factor };
}

/** The "your data" tile and its hidden file input; `open(file)` is called with the chosen file. */
export function uploadTile(catalog, open) {
  const input = el("input", { type: "file", accept: ".csv,text/csv,text/plain", hidden: true, id: "points-file",
    "data-testid": "points-file" });
  input.addEventListener("change", () => {
    if (input.files[0]) open(input.files[0]);
    input.value = ""; // the same file again is a new upload
  });
  const { max_csv_bytes: cap } = catalog.custom_points;
  const tile = el("button", { class: "thumb upload", "data-dataset": catalog.custom_points.name, "data-action": "upload-points",
    title: `Your own points: a CSV file with columns x1,x2,label (classes 0..4) or x1,x2,value, up to ${cap / MB} MB`,
    onclick: () => input.click() }, el("span", { class: "upload-glyph", text: "⇪" }), el("span", { text: "your data" }));
  return [tile, input];
}

/** Read `file` and, when the server accepts it, send its points through `send(change, notes)`. */
export async function uploadPoints(file, catalog, config, send) {
  const cap = catalog.custom_points.max_csv_bytes;
  if (file.size > cap) { // not worth sending: the server would refuse it unread
    toast(`${file.name} is ${(file.size / MB).toFixed(1)} MB; a points file is at most ${cap / MB} MB. Nothing changed.`, true);
    return;
  }
  const read = await readCsv(file);
  if (!read.ok) {
    toast(`${file.name}${read.line ? `, line ${read.line}` : ""}: ${read.message}. Nothing changed.`, true);
    return;
  }
  const { change, notes, factor } = customChange(catalog, config, read.dataset);
  const { points, task, n_classes: classes } = read.dataset;
  const what = task === "classification" ? `${classes} classes` : "values to fit";
  const scaled = factor === 1 ? "" : `, scaled by ${factor.toPrecision(3)} to fit the plane`;
  toast(`${file.name}: ${points.length} points, ${what}${scaled}. A new run trains on them.`);
  send(change, notes);
}
