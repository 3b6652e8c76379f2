// The weight editor under the network diagram: a click on a link opens it on that weight, with
// its value; Set sends the new value (a live edit of the run, recorded in the trace's events). The
// weight's chain rule is written out in the step-through panel, below: a button here goes there,
// so that a click on a link never takes the diagram out of view by itself.

export class WeightEditor {
  /** A hidden form after `anchor`; submit({layer, param, index, value}) sends the edit and
   * returns the message's id. */
  constructor(anchor, submit) {
    this.submit = submit;
    this.target = null; // {layer, param, index}
    this.waiting = null; // the id of the edit sent and not yet answered
    this.form = Object.assign(document.createElement("form"), { className: "weight-editor", hidden: true });
    this.form.dataset.testid = "weight-editor";
    this.label = Object.assign(document.createElement("label"), { htmlFor: "weight-value" });
    this.input = Object.assign(document.createElement("input"), { id: "weight-value", type: "text", inputMode: "decimal",
      autocomplete: "off", spellcheck: false });
    const set = Object.assign(document.createElement("button"), { type: "submit", textContent: "Set" });
    const close = Object.assign(document.createElement("button"), { type: "button", textContent: "×", title: "Close",
      onclick: () => this.close() });
    this.note = Object.assign(document.createElement("span"), { className: "weight-note" });
    this.note.dataset.testid = "weight-note";
    const chain = Object.assign(document.createElement("button"), { type: "button", textContent: "its chain rule ↓",
      title: "dL/dW of this weight, term by term, in the step-through panel",
      onclick: () => document.querySelector("#explain").scrollIntoView({ block: "start" }) });
    chain.dataset.testid = "weight-chain-rule";
    this.form.append(this.label, this.input, set, chain, close, this.note);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send();
    });
    this.form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.close();
    });
    anchor.after(this.form);
  }

  /** Open on the element `index` of `param` in layer `layer` (named `name`), whose value is `value`. */
  open(layer, name, param, index, value) {
    this.target = { layer, param, index };
    this.waiting = null;
    this.label.textContent = `Set ${name} ${param}[${index.join(", ")}] =`;
    this.input.value = Number.isFinite(value) ? String(Number(value.toPrecision(6))) : "";
    this.note.textContent = "a live edit: training goes on from it";
    this.form.hidden = false;
    this.input.focus({ preventScroll: true });
    this.input.select();
  }

  close() {
    this.form.hidden = true;
    this.target = this.waiting = null;
  }

  send() {
    const value = Number(this.input.value);
    if (this.input.value.trim() === "" || !Number.isFinite(value)) {
      this.note.textContent = `needs a finite number (got “${this.input.value}”)`;
      return;
    }
    this.waiting = this.submit({ ...this.target, value });
    this.note.textContent = "setting…";
  }

  /** The `param` reply to message `id`: whether it answers this editor's edit (which then closes). */
  applied(id) {
    if (this.waiting === null || id !== this.waiting) return false;
    this.close();
    return true;
  }

  /** An `error` reply: its message beside the value, when it refuses this editor's edit. */
  refused(id, message) {
    if (this.waiting !== null && id === this.waiting) {
      this.waiting = null;
      this.note.textContent = message;
    }
  }
}
