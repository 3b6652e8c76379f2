// The health badges: the engine's verdicts on the recent statistics, each in its own words (a
// healthy run reads as healthy, a warning names the layers and what to try), with its threshold,
// source, why it matters and what to try in its tooltip. Clicking one highlights the layers concerned.
// When they do not all fit on the bar's one row, healthy and unknown ones fold into one chip
// ("✓ 3 more fine"), so that no badge is cut to a stub ("✓ gradi…"); a click on it unfolds them.

const ICONS = { ok: "✓", warn: "⚠", unknown: "·" };
const FOLD_PX = 130; // room kept for the chip of folded badges ("+4 more: 3 fine")
const VERDICTS = { ok: "not found", warn: "found", unknown: "not measured yet" }; // of the condition the label names

/** The badge's words: the engine's headline, or (a trace from before headlines) its label and verdict. */
function badgeText(b) {
  const words = b.headline ?? `${b.label}: ${VERDICTS[b.status]}${b.layers.length ? ` (${b.layers.join(", ")})` : ""}`;
  return `${ICONS[b.status]} ${words}`;
}

function describe(b) {
  const threshold = Array.isArray(b.threshold) ? b.threshold.join(" … ") : b.threshold;
  const value = b.value === null ? "" : `\nnow: ${Number(b.value).toPrecision(3)}`;
  const layers = b.layers.length ? `\nlayers: ${b.layers.join(", ")}` : "";
  return `${b.label}: ${VERDICTS[b.status]}${value}${layers}\nthreshold: ${threshold} (${b.source})\nwhy: ${b.why}\ntry: ${b.try}`;
}

export class HealthBadges {
  /** @param onSelect: (layerNames or null) => void, called when a badge is (un)selected */
  constructor(element, onSelect) {
    this.element = element;
    this.onSelect = onSelect;
    this.selected = null;
    this.folded = this.foldChip();
    this.layout = "";
    new ResizeObserver(() => this.fit()).observe(element.parentElement); // the bar, whose width the badges share
  }

  /** Show the badges; in place when the same ones are shown (a heavy frame brings them 4 times a
   * second: new buttons each time would relayout the bar). */
  draw(badges) {
    if (!badges) return;
    this.badges = badges;
    const buttons = [...this.element.children];
    if (buttons.slice(0, -1).map((b) => b.dataset.testid).join() !== badges.map((b) => `badge-${b.id}`).join()) {
      this.element.replaceChildren(...badges.map((b) => this.button(b.id)), this.folded);
    }
    badges.forEach((b, k) => {
      const button = this.element.children[k];
      const text = badgeText(b);
      if (button.textContent !== text) button.textContent = text;
      button.dataset.status = b.status;
      button.dataset.layers = b.layers.join(",");
      button.setAttribute("aria-pressed", this.selected === b.id);
      button.title = describe(b);
    });
    const layout = badges.map((b) => `${b.id}:${b.status}`).join();
    if (layout !== this.layout) this.fit(layout);
  }

  /** Fold as few badges as it takes into the chip for the rest to fit whole (the unmeasured ones
   * first, then the healthy ones from the end; never a warning); measured only when a badge comes,
   * goes or changes status, and when the bar is resized. */
  fit(layout = this.layout) {
    this.layout = layout;
    const buttons = [...this.element.children].filter((b) => b !== this.folded);
    this.element.classList.remove("crowded");
    buttons.forEach((b) => b.classList.remove("tucked"));
    const room = this.element.clientWidth - 4; // its padding
    const width = (b) => b.scrollWidth + 2 + 6; // its text, border and the gap after it
    let needed = buttons.reduce((sum, b) => sum + width(b), -6);
    if (needed <= room) return;
    const calm = buttons.filter((b) => b.dataset.status !== "warn").reverse();
    const order = [...calm.filter((b) => b.dataset.status !== "ok"), ...calm.filter((b) => b.dataset.status === "ok")];
    const tucked = [];
    while (order.length && needed + FOLD_PX > room) {
      const b = order.shift();
      tucked.push(b);
      needed -= width(b);
    }
    if (!tucked.length) return;
    tucked.forEach((b) => b.classList.add("tucked"));
    this.element.classList.add("crowded");
    const fine = tucked.filter((b) => b.dataset.status === "ok").length;
    const n = tucked.length;
    this.folded.textContent = fine === n ? `✓ ${n} more fine` : fine ? `+${n} more: ${fine} fine` : `+${n} not measured`;
    this.folded.dataset.status = fine ? "ok" : "unknown";
    this.folded.title = buttons.filter((b) => tucked.includes(b)).map((b) => b.textContent).join("\n");
  }

  /** The chip that stands for the folded badges; a click shows them all (the bar wraps). */
  foldChip() {
    const chip = document.createElement("button");
    chip.className = "badge badge-fold";
    chip.dataset.testid = "badges-folded";
    chip.dataset.status = "ok";
    chip.setAttribute("aria-expanded", "false");
    chip.addEventListener("click", () => {
      const open = this.element.classList.toggle("open");
      chip.setAttribute("aria-expanded", String(open));
    });
    return chip;
  }

  /** A badge's button; a click (un)selects it and highlights its layers. */
  button(id) {
    const button = document.createElement("button");
    button.className = "badge";
    button.dataset.testid = `badge-${id}`;
    button.setAttribute("role", "listitem");
    button.addEventListener("click", () => {
      this.selected = this.selected === id ? null : id;
      const layers = this.selected ? this.badges.find((b) => b.id === id).layers : [];
      this.onSelect(layers.length ? layers : null); // a badge that names no layer fades none
      this.draw(this.badges);
    });
    return button;
  }
}
