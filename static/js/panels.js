// Drawing on a budget: each panel redraws only when its data changed, it is on screen, and its
// minimum interval has passed; one panel per animation frame, the most overdue first.

export class Panels {
  constructor() {
    this.panels = [];
    this.visible = new Map();
    this.resumeAt = 0;
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) this.visible.set(e.target, e.isIntersecting);
    });
    requestAnimationFrame(() => this.tick());
  }

  /** Register a panel: {element, interval (ms), draw()}; returns a function that marks it dirty. */
  add(element, interval, draw) {
    const panel = { element, interval, draw, dirty: true, last: 0, ms: [] };
    this.panels.push(panel);
    this.visible.set(element, true);
    this.observer.observe(element);
    return () => { panel.dirty = true; };
  }

  /** Recent draw times in ms, by panel element id. */
  timings() {
    return Object.fromEntries(this.panels.map((p) => [p.element.id, p.ms]));
  }

  tick() {
    const now = performance.now();
    let chosen = null;
    for (const p of this.panels) {
      if (!p.dirty || !this.visible.get(p.element) || p.element.closest("[hidden]")) continue;
      if (now - p.last < p.interval) continue;
      if (!chosen || p.last < chosen.last) chosen = p;
    }
    requestAnimationFrame(() => this.tick()); // first: a draw that throws must not stop drawing
    if (chosen && now >= this.resumeAt) {
      chosen.dirty = false;
      chosen.last = now;
      chosen.draw();
      const took = performance.now() - now;
      chosen.ms.push(took);
      if (chosen.ms.length > 100) chosen.ms.shift();
      this.resumeAt = performance.now() + took; // draw at most half the time: frames and clicks come first
    }
  }
}
