// The smoothing control (TensorBoard's): every slider marked data-smoothing sets the one smoothing
// weight of the noisy step charts, and each shows the weight in force.

import { getState, setState, subscribe } from "./state.js";

/** Wire the sliders to the state's `smoothing`, both ways. */
export function installSmoothingControl() {
  const sliders = [...document.querySelectorAll("input[data-smoothing]")];
  const show = (weight) => sliders.forEach((s) => {
    s.value = String(weight);
    s.nextElementSibling.textContent = weight.toFixed(2);
  });
  sliders.forEach((s) => s.addEventListener("input", () => setState({ smoothing: Number(s.value) })));
  subscribe((s, changed) => {
    if (changed.has("smoothing")) show(s.smoothing);
  });
  show(getState().smoothing);
}
