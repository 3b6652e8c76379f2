// The bar's readouts: the step and epoch counters, the metrics (in the output panel's header, or the
// predictions' for a sequence run, which has no output plane), the status badge, and which of
// Play and Pause is offered (of the live run, or of the trace on show in replay); and what the
// output panel's colours mean for the data on show.

import { classCount } from "./schema.js";
import { getState, subscribe, view } from "./state.js";

const READOUT_MS = 100; // the step counter and metrics are rewritten at most this often while playing
const $ = (selector) => document.querySelector(selector);

/** A loss or other metric as written: 4 decimals, or 3 significant digits in exponent form. */
function fmt(v) {
  return v === null || v === undefined ? "—" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(4);
}

/** "train loss … · test loss … · test accuracy …%". */
function formatMetrics(m) {
  const parts = [`train loss ${fmt(m.train_loss)}`, `test loss ${fmt(m.test_loss)}`];
  if (m.test_accuracy !== null && m.test_accuracy !== undefined) parts.push(`test accuracy ${(100 * m.test_accuracy).toFixed(1)}%`);
  return parts.join(" · ");
}

/** The status badge in replay: "replay", or "replay · diverged at step N" for a trace that diverged
 * (where, in its title: its last snapshot's diverged badge says). */
function showReplayStatus(replay) {
  const nonfinite = replay.trace.nonfinite;
  const badge = $("#status");
  badge.textContent = nonfinite ? `replay · diverged at step ${nonfinite.step}` : "replay";
  badge.title = nonfinite ? replay.snapshots.at(-1)?.health?.find((b) => b.id === "diverged")?.why ?? "" : "";
  badge.className = `status replay${nonfinite ? " diverged" : ""}`;
  $("[data-action=play]").hidden = replay.playing;
  $("[data-action=pause]").hidden = !replay.playing;
}

/** The status badge (the connection's state, else the run's, else the replay's) and the Play/Pause button shown. */
function showStatus(s) {
  if (s.replay) {
    showReplayStatus(s.replay);
    return;
  }
  const status = s.connection !== "open" ? s.connection : s.status;
  const badge = $("#status");
  badge.textContent = status === "diverged" && s.diverged
    ? `diverged at step ${s.diverged.step}` : status;
  badge.title = status === "diverged" && s.diverged ? `a non-finite value appeared in ${s.diverged.where}` : "";
  badge.className = `status ${status}`;
  const running = s.status === "running" && s.connection === "open";
  $("[data-action=play]").hidden = running;
  $("[data-action=pause]").hidden = !running;
}

/** The output panel's note: values for a regression set, else its classes. */
function showOutputNote(catalog, config) {
  const classes = classCount(catalog, config);
  const colours = classes === 0
    ? "the colour is the value: orange below 0, white at 0, blue above, and each point is coloured by its target value"
    : classes === 2 ? "orange and blue are the two classes" : `each colour is one of the ${classes} classes`;
  $("#output-note").textContent = `The model's output over the input plane (eval mode), with the training points; ${colours}.`;
}

/** Keep the readouts in step with the state. */
export function installReadouts() {
  let due = null; // a pending write of the step, epoch and metrics readouts

  /** Write the step, epoch and metrics: at once, or within READOUT_MS while training runs (a
   * counter changing 30 times a second cannot be read, and each change repaints the page). */
  function showCounters(now) {
    if (!now) {
      due ??= setTimeout(() => showCounters(true), READOUT_MS);
      return;
    }
    clearTimeout(due);
    due = null;
    const v = view();
    $("#step").textContent = v.step.toLocaleString("en-US");
    $("#epoch").textContent = v.epoch?.toLocaleString("en-US") ?? "—";
    const metrics = v.metrics ? formatMetrics(v.metrics) : getState().replay ? "no metrics in this trace" : "";
    for (const readout of document.querySelectorAll("[data-metrics]")) readout.textContent = metrics; // the output's, or the predictions' for sequences
  }

  subscribe((s, changed) => {
    if (["step", "epoch", "metrics", "replay", "status"].some((k) => changed.has(k))) {
      showCounters(s.status !== "running" || changed.has("status") || changed.has("replay"));
    }
    if (changed.has("status") || changed.has("connection") || changed.has("replay")) showStatus(s);
    if ((changed.has("config") || changed.has("replay")) && view().config) showOutputNote(s.catalog, view().config);
  });
}
