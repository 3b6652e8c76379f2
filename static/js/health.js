// The health badges: the engine's verdicts on the recent statistics, each with its threshold,
// source, why it matters and what to try. Clicking one highlights the layers concerned.

const ICONS = { ok: "✓", warn: "⚠", unknown: "·" };

function describe(b) {
  const threshold = Array.isArray(b.threshold) ? b.threshold.join(" … ") : b.threshold;
  const value = b.value === null ? "" : `\nnow: ${Number(b.value).toPrecision(3)}`;
  const layers = b.layers.length ? `\nlayers: ${b.layers.join(", ")}` : "";
  return `${b.label}: ${b.status}${value}${layers}\nthreshold: ${threshold} (${b.source})\nwhy: ${b.why}\ntry: ${b.try}`;
}

export class HealthBadges {
  /** @param onSelect: (layerNames or null) => void, called when a badge is (un)selected */
  constructor(element, onSelect) {
    this.element = element;
    this.onSelect = onSelect;
    this.selected = null;
  }

  draw(badges) {
    if (!badges) return;
    this.element.replaceChildren(...badges.map((b) => {
      const button = document.createElement("button");
      button.className = "badge";
      button.dataset.testid = `badge-${b.id}`;
      button.dataset.status = b.status;
      button.dataset.layers = b.layers.join(",");
      button.setAttribute("role", "listitem");
      button.setAttribute("aria-pressed", this.selected === b.id);
      button.title = describe(b);
      button.textContent = `${ICONS[b.status]} ${b.label}${b.status === "warn" && b.layers.length ? ` (${b.layers.join(", ")})` : ""}`;
      button.addEventListener("click", () => {
        this.selected = this.selected === b.id ? null : b.id;
        this.onSelect(this.selected ? b.layers : null);
        this.draw(badges);
      });
      return button;
    }));
  }
}
