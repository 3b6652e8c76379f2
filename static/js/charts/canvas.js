// What the canvas-painted views share: a crisp canvas at the element's size, and a tooltip.

export const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";
export const INK = "#1d2330";
export const MUTED = "#5d6677";

/** A canvas and a hidden tooltip appended to `element` (which the CSS makes `position: relative`). */
export function canvasIn(element) {
  const canvas = document.createElement("canvas");
  const tip = Object.assign(document.createElement("div"), { className: "chart-tip", hidden: true });
  element.append(canvas, tip);
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
