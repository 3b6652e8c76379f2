// The settings a beginner rarely needs, folded away under a "more" in their group until opened;
// closed, the fold says how many of its settings differ from the defaults (a preset may set some).

import { getPath } from "./schema.js";

export class Fold {
  /** A closed "more" at the end of `groupBody`, named `id`, listing what it holds in `what`. */
  constructor(groupBody, id, what) {
    this.count = Object.assign(document.createElement("span"), { className: "fold-count" });
    const summary = document.createElement("summary");
    summary.append(`More: ${what}`, this.count);
    this.body = Object.assign(document.createElement("div"), { className: "fold-body" });
    this.element = Object.assign(document.createElement("details"), { className: "more", id });
    this.element.dataset.testid = id;
    this.element.dataset.part = "more"; // a lesson may hide every fold
    this.element.append(summary, this.body);
    groupBody.append(this.element);
  }

  /** Say how many fields in the fold hold a value other than the default. */
  show(config, defaults) {
    const paths = [...this.body.querySelectorAll("[data-field]")].map((input) => input.dataset.field);
    const changed = paths.filter((p) => JSON.stringify(getPath(config, p)) !== JSON.stringify(getPath(defaults, p)));
    this.count.textContent = changed.length ? ` · ${changed.length} changed` : "";
    this.count.title = changed.length ? `Not at the default: ${changed.join(", ")}` : "";
  }
}
