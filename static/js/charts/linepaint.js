// The marks a LineChart paints inside its plot area (frame `f`: X, Y, x, y, w, h): lines, × marks,
// bands, the reference band, and the steps where a line on a log axis is exactly 0.

import { FONT, MUTED } from "./canvas.js";

export const ZERO_NOTE = "▾ exactly 0 (no place on a log axis)";

/** A line; a point with no finite neighbour (a run's one evaluation so far) is drawn as a dot. */
export function paintLine(ctx, f, l) {
  ctx.strokeStyle = l.color;
  ctx.globalAlpha = l.alpha ?? 1;
  ctx.lineWidth = l.width ?? 1.6;
  ctx.setLineDash(l.dash ?? []);
  ctx.beginPath();
  const lone = [];
  let run = 0;
  l.x.forEach((x, k) => {
    const v = l.y[k];
    if (v === null || !Number.isFinite(v)) {
      if (run === 1) lone.push(k - 1);
      run = 0;
      return;
    }
    ctx[run ? "lineTo" : "moveTo"](f.X(x), f.Y(v));
    run += 1;
  });
  if (run === 1) lone.push(l.x.length - 1);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = l.color;
  for (const k of lone) {
    ctx.beginPath();
    ctx.arc(f.X(l.x[k]), f.Y(l.y[k]), 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** × marks at a series' finite points. */
export function paintMarks(ctx, f, l) {
  ctx.strokeStyle = l.color;
  ctx.globalAlpha = l.alpha ?? 1;
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  l.x.forEach((x, k) => {
    if (l.y[k] === null || !Number.isFinite(l.y[k])) return;
    const [px, py] = [f.X(x), f.Y(l.y[k])];
    ctx.moveTo(px - 2.5, py - 2.5);
    ctx.lineTo(px + 2.5, py + 2.5);
    ctx.moveTo(px - 2.5, py + 2.5);
    ctx.lineTo(px + 2.5, py - 2.5);
  });
  ctx.stroke();
}

/** A filled band between `low` and `high` (rows with a missing end, or not above 0 on a log axis,
 * are skipped). */
export function paintBand(ctx, f, b, log) {
  const ok = (v) => v !== null && Number.isFinite(v) && (!log || v > 0);
  const rows = [];
  b.x.forEach((x, k) => {
    if (ok(b.low[k]) && ok(b.high[k])) rows.push([x, b.low[k], b.high[k]]);
  });
  if (!rows.length) return;
  ctx.fillStyle = b.fill;
  ctx.beginPath();
  rows.forEach(([x, low], k) => ctx[k ? "lineTo" : "moveTo"](f.X(x), f.Y(low)));
  for (let k = rows.length - 1; k >= 0; k--) ctx.lineTo(f.X(rows[k][0]), f.Y(rows[k][2]));
  ctx.fill();
}

/** The reference band [lo, hi] with a dashed line at mid. */
export function paintReference(ctx, f, [lo, mid, hi]) {
  ctx.fillStyle = "rgba(0,158,115,0.10)";
  ctx.fillRect(f.x, f.Y(hi), f.w, f.Y(lo) - f.Y(hi));
  ctx.strokeStyle = "#009e73";
  ctx.lineWidth = 1;
  ctx.setLineDash([5, 4]);
  ctx.beginPath();
  ctx.moveTo(f.x, f.Y(mid));
  ctx.lineTo(f.x + f.w, f.Y(mid));
  ctx.stroke();
  ctx.setLineDash([]);
}

/** A small ▾ on the bottom edge, in the line's colour, at each step where it is exactly 0 (where
 * its log-axis line has a gap). */
export function paintZeros(ctx, f, l) {
  ctx.fillStyle = l.color;
  ctx.globalAlpha = l.alpha ?? 1;
  const bottom = f.y + f.h;
  ctx.beginPath();
  for (const x of l.zeros) {
    const px = f.X(x);
    ctx.moveTo(px - 3, bottom - 6);
    ctx.lineTo(px + 3, bottom - 6);
    ctx.lineTo(px, bottom);
    ctx.closePath();
  }
  ctx.fill();
  ctx.globalAlpha = 1;
}

/** The key to the ▾ marks, in the plot's top right corner on a white ground. */
export function paintZeroNote(ctx, f) {
  ctx.font = `10px ${FONT}`;
  const width = ctx.measureText(ZERO_NOTE).width;
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.fillRect(f.x + f.w - width - 8, f.y + 2, width + 6, 14);
  ctx.fillStyle = MUTED;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.fillText(ZERO_NOTE, f.x + f.w - 5, f.y + 9);
}
