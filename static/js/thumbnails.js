// The dataset picker's thumbnails, drawn from the catalog's previews: a points set as its points
// coloured by class (or by the sign of a regression target), a sequence set as its example
// sequences over time, one line each, coloured by the sign of the target.

import { CLASS_COLORS } from "./palette.js";

/** Draw a points set's preview {x, y, label} on `canvas`. */
function drawPoints(ctx, canvas, spec) {
  const { x, y, label } = spec.preview;
  const scale = (v) => ((v + 6) / 12) * canvas.width;
  for (let i = 0; i < x.length; i++) {
    const color = spec.task === "regression"
      ? (label[i] >= 0 ? CLASS_COLORS[1] : CLASS_COLORS[0])
      : CLASS_COLORS[label[i] % CLASS_COLORS.length];
    ctx.fillStyle = color;
    ctx.globalAlpha = spec.task === "regression" ? Math.min(1, 0.25 + Math.abs(label[i])) : 0.85;
    ctx.fillRect(scale(x[i]) - 1, canvas.height - scale(y[i]) - 1, 2.5, 2.5);
  }
}

/** Draw a sequence set's preview {sequences (n, T, C), targets} on `canvas`: each sequence's first
 * channel over time, in a band of its own. */
function drawSequences(ctx, canvas, spec) {
  const { sequences, targets } = spec.preview;
  const band = canvas.height / sequences.length;
  ctx.lineWidth = 1.2;
  sequences.forEach((seq, k) => {
    const values = seq.map((step) => step[0]);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const target = [targets[k]].flat()[0];
    ctx.strokeStyle = spec.task === "classification" ? CLASS_COLORS[target] : CLASS_COLORS[target >= 0.5 ? 1 : 0];
    ctx.beginPath();
    values.forEach((v, t) => {
      const px = (t / (values.length - 1)) * canvas.width;
      const py = band * (k + 0.9) - ((v - lo) / (hi - lo || 1)) * band * 0.8;
      if (t) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
    });
    ctx.stroke();
  });
}

/** A dataset's thumbnail from the catalog's preview. */
export function drawThumbnail(canvas, spec) {
  const ctx = canvas.getContext("2d");
  if (spec.input_kind === "sequence") drawSequences(ctx, canvas, spec);
  else drawPoints(ctx, canvas, spec);
}
