// Teacher mode: a lesson link (#preset=ID&hide=loss,setup&lock=setup, beside #config=…) opens a
// reduced page: the parts it names are hidden (each part is an element with data-part="name"),
// nothing else, and with lock=setup the setup is shown read-only (setup.js). A box left with no
// part to show (data-part-box) goes too, so the rest takes its room.

import { banner } from "./notices.js";
import { setState } from "./state.js";
import { hashParams, hashOf } from "./urlhash.js";

/** Every part a lesson can hide, with the words the "Share as lesson" dialog uses. */
export const PARTS = {
  panels: { network: "Network", flow: "Gradient flow", output: "Output", predictions: "Predictions (sequences)",
    loss: "Loss", unrolled: "Unrolled through time", gradtime: "Gradient through time", eigen: "Recurrent eigenvalues",
    phase: "Step-through", ratio: "Update / weight", saturated: "Saturated units", dead: "Dead ReLUs", clip: "Clipping",
    distributions: "Distributions", gradcheck: "Gradient check", line: "The loss along the step",
    sharpness: "Sharpness against 2/lr" },
  controls: { setup: "the setup column", more: "the “More” settings", presets: "the classic-experiment menu",
    badges: "the health badges", speed: "Speed and Flat out", files: "Export, Import and Share" },
};
/** The panels that exist for one input kind only (as style.css shows them); the rest exist for both. */
const KIND_ONLY = { points: ["output"], sequence: ["predictions", "unrolled", "gradtime", "eigen"] };

/** PARTS.panels without those of the other input kind than `kind` ("points" or "sequence"). */
export function panelsOf(kind) {
  const absent = Object.entries(KIND_ONLY).flatMap(([k, names]) => (k === kind ? [] : names));
  return Object.fromEntries(Object.entries(PARTS.panels).filter(([name]) => !absent.includes(name)));
}

/** What a lesson can lock. */
export const LOCKS = { setup: "the setup: its controls read-only" };

const KNOWN = new Set([...Object.keys(PARTS.panels), ...Object.keys(PARTS.controls)]);

/** The names listed in hash parameter `name` ("a,b"), those this page knows and those it does not. */
function readList(params, name, known) {
  const names = decodeURIComponent(params.get(name) ?? "").split(",").map((n) => n.trim()).filter(Boolean);
  return { names: names.filter((n) => known.has(n)), unknown: names.filter((n) => !known.has(n)) };
}

/** The lesson in the hash: {hide: [part], lock: [what]}, or null when the link is no lesson. */
function readLesson() {
  const params = hashParams();
  if (!params.has("hide") && !params.has("lock")) return null;
  const hide = readList(params, "hide", KNOWN);
  const lock = readList(params, "lock", new Set(Object.keys(LOCKS)));
  const unknown = [...hide.unknown.map((n) => `hide "${n}"`), ...lock.unknown.map((n) => `lock "${n}"`)];
  if (unknown.length) {
    banner(`The lesson link names what this page does not have (${unknown.join(", ")}); the rest of the lesson applies. `
      + `Parts: ${[...KNOWN].join(", ")}; locks: ${Object.keys(LOCKS).join(", ")}.`, true);
  }
  return { hide: hide.names, lock: lock.names };
}

/** Hide the lesson's parts, those built later too (the "more" folds), and the boxes they leave empty. */
function applyHiding(hide) {
  const style = Object.assign(document.createElement("style"), { id: "lesson-style" });
  style.textContent = `${hide.map((name) => `[data-part="${name}"]`).join(", ")} { display: none !important; }`;
  document.head.append(style);
  const hidden = new Set(hide);
  for (const box of document.querySelectorAll("[data-part-box]")) {
    const parts = [...box.querySelectorAll("[data-part]")];
    box.classList.toggle("lesson-hidden", parts.length > 0 && parts.every((p) => hidden.has(p.dataset.part)));
  }
}

/** The hash of a lesson link: the page's setup and preset, with `hide` and `lock` (lists of names). */
export function lessonHash({ hide, lock }) {
  const params = hashParams();
  params.delete("hide");
  params.delete("lock");
  if (hide.length) params.set("hide", hide.join(","));
  if (lock.length) params.set("lock", lock.join(","));
  return hashOf(params);
}

/** Read the page's lesson into the state and hide its parts. */
export function installLesson() {
  const lesson = readLesson();
  setState({ lesson });
  if (lesson?.hide.length) applyHiding(lesson.hide);
}
