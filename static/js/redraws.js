// Schedules the panels' redraws on a budget: each panel redraws only when its data changed, it is
// on screen, and its minimum interval has passed; one panel per animation frame, the most overdue
// (in intervals) first, and drawing takes at most a third of the time: on 2 cores, the browser's
// drawing competes with training itself.

const DUTY = 1 / 3; // the share of the time spent drawing, at most

export class Redraws {
  constructor() {
    this.panels = [];
    this.visible = new Map();
    this.resumeAt = 0;
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) this.visible.set(e.target, e.isIntersecting);
    });
    requestAnimationFrame(() => this.tick());
  }

  /** Register a panel: {element, interval (ms), draw()}, drawn only while `applies()` (a panel of
   * one input kind; dirty until then); returns a function that marks it dirty. */
  add(element, interval, draw, applies = () => true) {
    const panel = { element, interval, draw, applies, dirty: true, last: 0, ms: [] };
    this.panels.push(panel);
    this.visible.set(element, true);
    this.observer.observe(element);
    return () => { panel.dirty = true; };
  }

  /** Draw nothing for `ms` (or until release): a click waiting for its reply comes first. */
  hold(ms) {
    this.resumeAt = Math.max(this.resumeAt, performance.now() + ms);
  }

  /** End a hold. */
  release() {
    this.resumeAt = 0;
  }

  /** Recent draw times in ms, by panel element id. */
  timings() {
    return Object.fromEntries(this.panels.map((p) => [p.element.id, p.ms]));
  }

  tick() {
    const now = performance.now();
    let chosen = null;
    let overdue = 1; // how many of its intervals a panel has waited
    for (const p of this.panels) {
      if (!p.dirty || !this.visible.get(p.element) || p.element.closest("[hidden]") || !p.applies()) continue;
      const waited = (now - p.last) / p.interval;
      if (waited >= overdue) [chosen, overdue] = [p, waited];
    }
    requestAnimationFrame(() => this.tick()); // first: a draw that throws must not stop drawing
    if (chosen && now >= this.resumeAt) {
      chosen.dirty = false;
      chosen.last = now;
      chosen.draw();
      const took = performance.now() - now;
      chosen.ms.push(took);
      if (chosen.ms.length > 100) chosen.ms.shift();
      this.resumeAt = performance.now() + took * (1 / DUTY - 1); // frames, clicks and training come first
    }
  }
}
