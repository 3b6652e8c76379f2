// "Share as lesson": a dialog where a teacher picks the panels and controls a link hides and
// whether it locks the setup, and copies the link (the page's setup and preset, plus the lesson).
// With a preset on, the panels it is not about start ticked. It offers only the panels the setup's
// input kind has (no output plane for sequences, no sequence panels for points).

import { configKind } from "./inputkind.js";
import { LOCKS, PARTS, lessonHash, panelsOf } from "./lesson.js";
import { getState } from "./state.js";

const $ = (selector) => document.querySelector(selector);

/** The preset whose note is up, or null. */
function presetOnShow() {
  const id = $("#preset-note").hidden ? null : $("#preset-note").dataset.preset;
  return getState().catalog?.presets.find((p) => p.id === id) ?? null;
}

/** Which parts start ticked: the page's own lesson's, else the panels the preset on show is not about. */
function startingHide(preset) {
  const { lesson } = getState();
  if (lesson) return new Set(lesson.hide);
  if (!preset?.panels) return new Set();
  return new Set(Object.keys(PARTS.panels).filter((name) => !preset.panels.includes(name)));
}

/** One checkbox per name of `labels` in `box`, ticked when in `ticked`. */
function fillChecks(box, labels, ticked, kind) {
  box.replaceChildren(...Object.entries(labels).map(([name, label]) => {
    const input = Object.assign(document.createElement("input"), { type: "checkbox", checked: ticked.has(name) });
    input.dataset[kind] = name;
    const row = document.createElement("label");
    row.append(input, ` ${label}`);
    return row;
  }));
}

/** The link the dialog's ticks make. */
function link() {
  const ticked = (selector, key) => [...document.querySelectorAll(selector)].filter((c) => c.checked).map((c) => c.dataset[key]);
  const hash = lessonHash({ hide: ticked("#lesson-dialog [data-hide]", "hide"), lock: ticked("#lesson-dialog [data-lock]", "lock") });
  return `${location.origin}${location.pathname}${hash}`;
}

/** Show the link of the ticks in the dialog's field and its "Open it". */
function showLink() {
  $("#lesson-link").value = link();
  $("#lesson-open").href = $("#lesson-link").value;
}

/** Open the dialog with its ticks as they start, offering the panels the setup's input kind has. */
function open() {
  const { catalog, config } = getState();
  const panels = panelsOf(configKind(catalog, config));
  const preset = presetOnShow();
  const hide = startingHide(preset);
  $("#lesson-preset").textContent = preset
    ? `It opens the classic experiment “${preset.title}”, with its note.${preset.panels ? ` It is about: ${preset.panels.map((n) => PARTS.panels[n]).join(", ")}.` : ""}`
    : "It opens this setup (choose a classic experiment first to open that, with its note).";
  fillChecks($("#lesson-panels"), panels, hide, "hide");
  fillChecks($("#lesson-controls"), PARTS.controls, hide, "hide");
  fillChecks($("#lesson-locks"), LOCKS, new Set(getState().lesson?.lock ?? []), "lock");
  showLink();
  $("#lesson-dialog").showModal();
}

/** Wire the "Share as lesson" button and the dialog. */
export function installLessonDialog() {
  $("[data-action=share-lesson]").addEventListener("click", open);
  $("#lesson-dialog").addEventListener("change", showLink);
  $("#lesson-copy").addEventListener("click", async () => {
    $("#lesson-link").select();
    try {
      await navigator.clipboard.writeText($("#lesson-link").value);
      $("#lesson-copied").textContent = "Copied.";
    } catch {
      $("#lesson-copied").textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
    }
  });
  $("#lesson-close").addEventListener("click", () => $("#lesson-dialog").close());
  $("#lesson-dialog").addEventListener("close", () => { $("#lesson-copied").textContent = ""; });
}
