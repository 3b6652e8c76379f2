// Messages to the person: the banner under the bar (one at a time, kept until replaced) and
// toasts (a few seconds each).

const TOAST_MS = 4000;

/** Show `text` in the banner (an error in red), or hide it (text null). */
export function banner(text, error = false) {
  const b = document.querySelector("#banner");
  b.hidden = !text;
  b.textContent = text || "";
  b.classList.toggle("error", error);
}

/** Show `text` in a toast for a few seconds. */
export function toast(text, error = false) {
  const t = document.createElement("div");
  t.className = `toast${error ? " error" : ""}`;
  t.textContent = text;
  t.dataset.testid = "toast";
  document.body.append(t);
  setTimeout(() => t.remove(), TOAST_MS);
}
