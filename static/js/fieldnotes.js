// Messages beside the setup fields: why a value was refused (the field itself shows the value in
// force), or what changed along with a person's change (the loss switched to fit a new dataset).
// They last until the next reply to a change; a note is also toasted, as the field may be out of view.

import { fieldWords } from "./fieldwords.js";
import { toast } from "./notices.js";

export class FieldNotes {
  constructor() {
    this.rows = new Map(); // config path -> the field's row
    this.expected = new Map(); // message id -> {path: text}, shown when its config reply comes
  }

  /** Messages for the field at `path` go into `row`. */
  add(path, row) {
    this.rows.set(path, row);
  }

  /** Show `text` beside the field at `path` (an error in red), if there is one. */
  show(path, text, error = false) {
    const row = this.rows.get(path);
    if (!row) return;
    let message = row.querySelector(":scope > .field-message");
    if (!message) {
      message = Object.assign(document.createElement("div"), { className: "field-message" });
      message.setAttribute("role", "status");
      message.dataset.testid = "field-message";
      row.append(message);
    }
    message.textContent = text;
    message.classList.toggle("error", error);
  }

  /** Take every message down. */
  clear() {
    for (const row of this.rows.values()) row.querySelector(":scope > .field-message")?.remove();
  }

  /** Show `notes` ({path: text}) when the config reply to message `id` comes. */
  expect(id, notes) {
    if (Object.keys(notes).length) this.expected.set(id, notes);
  }

  /** A config reply to message `id`: the messages of earlier changes go, this change's notes show. */
  applied(id) {
    this.clear();
    for (const [path, text] of Object.entries(this.expected.get(id) ?? {})) {
      this.show(path, text);
      toast(`${this.rows.get(path)?.querySelector("label")?.textContent ?? fieldWords(path)} ${text}`);
    }
    this.expected.delete(id);
  }

  /** An error reply to message `id`: earlier messages go, this one shows beside its field. */
  refused(id, path, text) {
    this.clear();
    this.expected.delete(id);
    if (path) this.show(path, text, true);
  }
}
