// Messages to the person: the banner under the bar (one at a time, kept until replaced or its
// topic is over) and toasts (a few seconds each, stacked when several are up).

const TOAST_MS = 4000;

/** Show `text` in the banner (an error in red), or hide it (text null); `topic` names what it is
 * about, so that it can be taken down when that is over (dismissBanner). */
export function banner(text, error = false, topic = "") {
  const b = document.querySelector("#banner");
  b.hidden = !text;
  b.textContent = text || "";
  b.classList.toggle("error", error);
  b.dataset.topic = text ? topic : "";
}

/** Hide the banner if it is about `topic` (another banner stays). */
export function dismissBanner(topic) {
  if (document.querySelector("#banner").dataset.topic === topic) banner(null);
}

/** Show `text` in a toast for a few seconds, stacked with any toast still up. */
export function toast(text, error = false) {
  let stack = document.querySelector("#toasts");
  if (!stack) {
    stack = Object.assign(document.createElement("div"), { id: "toasts", className: "toasts" });
    document.body.append(stack);
  }
  const t = document.createElement("div");
  t.className = `toast${error ? " error" : ""}`;
  t.textContent = text;
  t.dataset.testid = "toast";
  stack.append(t);
  setTimeout(() => t.remove(), TOAST_MS);
}
