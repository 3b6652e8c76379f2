// The health badges: the engine's verdicts on the recent statistics, each in its own words (a
// healthy run reads as healthy, a warning names the layers and what to try), with its threshold,
// source, why it matters and what to try in its tooltip. Clicking one highlights the layers concerned.

const ICONS = { ok: "✓", warn: "⚠", unknown: "·" };
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
  }

  /** Show the badges; in place when the same ones are shown (a heavy frame brings them 4 times a
   * second: new buttons each time would relayout the bar). */
  draw(badges) {
    if (!badges) return;
    this.badges = badges;
    const buttons = [...this.element.children];
    if (buttons.map((b) => b.dataset.testid).join() !== badges.map((b) => `badge-${b.id}`).join()) {
      this.element.replaceChildren(...badges.map((b) => this.button(b.id)));
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
