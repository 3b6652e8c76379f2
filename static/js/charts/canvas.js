// What the canvas-painted views share: a crisp canvas at the element's size, and a tooltip.

export const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";
export const INK = "#1d2330";
export const MUTED = "#5d6677";

/** A canvas and a hidden tooltip appended to `chart.element` (which the CSS makes `position:
 * relative`), wired to the chart: the pointer moving calls chart.hover(x, y) in CSS px, leaving
 * calls chart.hover(null), and a new size calls chart.paint(). Returns {canvas, tip}. */
export function canvasIn(chart) {
  const canvas = document.createElement("canvas");
  const tip = Object.assign(document.createElement("div"), { className: "chart-tip", hidden: true });
  chart.element.append(canvas, tip);
  canvas.addEventListener("pointermove", (e) => chart.hover(e.offsetX, e.offsetY));
  canvas.addEventListener("pointerleave", () => chart.hover(null));
  new ResizeObserver(() => chart.paint()).observe(chart.element);
  return { canvas, tip };
}

/** Size the canvas's pixels to its element's CSS size × the device pixel ratio; returns a cleared
 * context drawing in CSS px, or null while the element has no size (hidden). */
export function fitCanvas(canvas, element) {
  const [width, height] = [element.clientWidth, element.clientHeight];
  if (!width || !height) return null;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/** Show `text` (lines split by \n) in the tooltip near (x, y) CSS px, or hide it (text null). */
export function showTip(tip, element, text, x, y) {
  tip.hidden = text === null;
  if (text === null) return;
  tip.textContent = text;
  const right = x > element.clientWidth / 2; // open towards the middle
  tip.style.left = right ? "" : `${x + 14}px`;
  tip.style.right = right ? `${element.clientWidth - x + 14}px` : "";
  tip.style.top = `${y + 10}px`;
}

/** A canvas of width × height pixels coloured by rgbAt(column, row) -> [r, g, b] (row 0 on top):
 * an image to scale up with drawImage. */
export function pixelCanvas(width, height, rgbAt) {
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [width, height];
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(width, height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const [r, g, b] = rgbAt(column, row);
      const o = 4 * (row * width + column);
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
