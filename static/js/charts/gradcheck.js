// The gradient check's table: per parameter tensor, the relative error between backpropagation
// and central differences, and CS231n's reading of it in words (a crossed ReLU kink said).

import { HEALTHY, WARN } from "../palette.js";

const READINGS = {
  right: ["right", "below 1e-7: backpropagation agrees with the differences"],
  roundoff: ["cannot tell", "the loss is so large that float64 roundoff alone could make this gap: differences resolve nothing here (has the run diverged?)"],
  kinks: ["explained by kinks", "above 1e-7, but differences crossed a (leaky) ReLU's kink at 0, where the slope jumps"],
  suspect: ["suspect", "between 1e-7 and 1e-4: look closer, unless the net has kinks"],
  wrong: ["wrong", "above 1e-4: the gradient is probably wrong"],
  zero: ["does not move the loss", "both gradients are below what differences resolve (e.g. a bias before batch norm)"],
  "not finite": ["not finite", "a gradient or a difference is not finite"],
};
const COLORS = { right: HEALTHY, wrong: WARN, "not finite": WARN };

/** The cell of a number, holding its exact value for tests (`data-value`). */
function numberCell(value, text) {
  const cell = Object.assign(document.createElement("td"), { className: "number", textContent: text });
  cell.dataset.value = value === null ? "null" : String(value);
  return cell;
}

export class GradcheckTable {
  constructor(table, note) {
    this.table = table;
    this.note = note;
  }

  /** Draw a `gradcheck` reply (null: nothing measured in this run yet). */
  draw(reply) {
    if (!reply) {
      this.note.textContent = "Not checked in this run yet.";
      this.table.replaceChildren();
      return;
    }
    const sampled = reply.batch < reply.of ? ` (the first ${reply.batch} of its ${reply.of}: the net is large)` : "";
    const dropout = reply.dropout_off ? " Dropout is off for the check." : "";
    this.note.textContent = `At step ${reply.step}, on ${reply.batch} of ${reply.of} examples of the next batch${sampled}, in float64.${dropout}`;
    const head = document.createElement("tr");
    head.append(...["layer", "tensor", "checked", "relative error", "reading"].map((t) => Object.assign(document.createElement("th"), { textContent: t })));
    this.table.replaceChildren(head, ...reply.entries.map((e) => this.row(e)));
  }

  /** One tensor's row: its layer, name, how many elements were checked, the error and the reading. */
  row(e) {
    const row = document.createElement("tr");
    row.dataset.testid = "gradcheck-row";
    const [words, why] = READINGS[e.verdict] ?? [e.verdict, ""];
    const kinks = e.kinks ? ` (${e.kinks} of ${e.checked} differences crossed a kink)` : "";
    const reading = Object.assign(document.createElement("td"), { textContent: `${words}${kinks}`, title: why });
    reading.dataset.verdict = e.verdict;
    if (COLORS[e.verdict]) reading.style.color = COLORS[e.verdict];
    const checked = numberCell(e.checked, e.checked === e.size ? `all ${e.size}` : `${e.checked} of ${e.size}`);
    const error = numberCell(e.rel_error, e.rel_error === null || e.verdict === "roundoff" ? "—" : e.rel_error.toExponential(1));
    row.append(Object.assign(document.createElement("td"), { textContent: e.name }),
      Object.assign(document.createElement("td"), { textContent: e.param }), checked, error, reading);
    return row;
  }
}
