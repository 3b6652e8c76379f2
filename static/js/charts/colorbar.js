// Colour bars with numbers: one painted beside a canvas map, or a key of one strip and rows of
// numbers (one row per thing the strip colours) written into an element under a panel.

import { css } from "../palette.js";
import { FONT, INK, MUTED } from "./canvas.js";

const STOPS = 16; // colours sampled along an HTML strip

/** Paint a vertical colour bar in `box` {x, y, w, h} (CSS px): rgbAt(t) -> [r, g, b] for t from 0
 * at the bottom to 1 at the top, `ticks` [[t, text]] to its right and `label` turned along its
 * right edge (`labelAt` px right of the bar). */
export function paintColorBar(ctx, box, rgbAt, ticks, label, labelAt = 46) {
  const { x, y, w, h } = box;
  for (let k = 0; k < h; k++) {
    ctx.fillStyle = css(rgbAt(1 - k / h));
    ctx.fillRect(x, y + k, w, 1);
  }
  ctx.strokeStyle = "#c9ced8";
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  ctx.fillStyle = MUTED;
  ctx.font = `10px ${FONT}`;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const [t, text] of ticks) {
    const ty = y + (1 - t) * h;
    ctx.fillRect(x + w, ty, 3, 1);
    ctx.fillText(text, x + w + 5, ty);
  }
  ctx.save();
  ctx.fillStyle = INK;
  ctx.translate(x + w + labelAt, y + h / 2);
  ctx.rotate(Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(label, 0, 0);
  ctx.restore();
}

/** Write a key into `element`: a horizontal strip coloured by rgbAt(t), t from 0 (left) to 1
 * (right), and under it one row per entry of `rows` [{low, middle, high (texts under the strip's
 * left end, middle and right end), caption}]. */
export function colorKey(element, rgbAt, rows) {
  const stops = Array.from({ length: STOPS + 1 }, (_, k) => `${css(rgbAt(k / STOPS))} ${((100 * k) / STOPS).toFixed(1)}%`);
  const strip = Object.assign(document.createElement("span"), { className: "key-strip" });
  strip.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
  const cell = (text, className) => Object.assign(document.createElement("span"), { className, textContent: text });
  const row = (r) => {
    const ticks = cell("", "key-ticks");
    ticks.append(cell(r.low, "key-low"), cell(r.middle, "key-middle"), cell(r.high, "key-high"));
    return [ticks, cell(r.caption, "key-caption")];
  };
  element.replaceChildren(strip, cell("", "key-caption"), ...rows.flatMap(row));
}
