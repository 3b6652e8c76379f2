"""One weight's gradient written out: per-example chain-rule terms, penalties, clipping, update."""
import numpy as np


class ExplainError(ValueError):
    """The weight cannot be explained (no such weight, or its backward has not run)."""


RULES = {
    "sgd": "Δw = −lr·g",
    "momentum": "buf = μ·buf_prev + g;  Δw = −lr·buf",
    "nesterov": "buf = μ·buf_prev + g;  Δw = −lr·(g + μ·buf)",
    "rmsprop": "s = ρ·s_prev + (1−ρ)·g²;  Δw = −lr·g / (√s + ε)",
    "adam": "m = β₁·m_prev + (1−β₁)·g;  v = β₂·v_prev + (1−β₂)·g²;  Δw = −lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)",
    "adamw": "as adam, plus decoupled decay −lr·wd·w",
}


def explain(trainer, layer: int, row: int, column: int, example: int = 0) -> dict:
    """dL/dW[row, column] of a dense entry = (1/B)·Σ_b a_b·δ_b, with a = the layer's input and
    δ = B·dL/dz (the per-example error signal), then penalties, clipping and the update."""
    net = trainer.net
    if not 0 <= layer < len(net.entries) or net.entries[layer].kind != "dense":
        raise ExplainError(f"layer {layer} is not a dense layer")
    entry, cache = net.entries[layer], net.cache[layer]
    if not (0 <= row < entry.fan_in and 0 <= column < entry.fan_out):
        raise ExplainError(f"{entry.name}.W has shape ({entry.fan_in}, {entry.fan_out}); "
                           f"no weight at ({row}, {column})")
    if "dz" not in cache:
        raise ExplainError(f"{entry.name}'s backward has not run yet in this step")
    batch = cache["x"].shape[0]
    if not 0 <= example < batch:
        raise ExplainError(f"the batch has {batch} examples; no example {example}")
    a = cache["x"][:, row].astype(np.float64)
    delta = cache["dz"][:, column].astype(np.float64) * batch
    terms = a * delta
    name = entry.param_names[0]
    out = {
        "layer": layer, "layer_name": entry.name, "row": row, "column": column,
        "batch_size": batch, "example": example,
        "a": a.tolist(), "delta": delta.tolist(), "terms": terms.tolist(),
        "sum": float(terms.sum()), "mean": float(terms.sum() / batch),
        "grad": float(net.store.grads[name][row, column]),
        "complete": not trainer.mid_step,
    }
    if out["complete"] and trainer.steps > 0:
        out.update(_after_backward(trainer, name, row, column))
    return out


def _after_backward(trainer, name: str, row: int, column: int) -> dict:
    """Penalties, clipping and the optimizer's update of one weight in the last applied step."""
    hp, store = trainer.config.training, trainer.net.store
    index = store.slices[name].start + row * store.shapes[name][1] + column
    update = float(trainer.last_update[index])
    w_after = float(store.theta[index])
    w_before = w_after - update
    grad = float(store.grad[index])
    penalized = grad + hp.l1 * float(np.sign(w_before)) + hp.l2 * w_before
    used = float(trainer.last_used_grad[index])
    record = trainer.last_record
    state = {slot: {"before": float(trainer.previous_optimizer_state[slot][index]),
                    "after": float(trainer.optimizer_state[slot][index])}
             for slot in trainer.optimizer_state}
    return {
        "penalty": {"l1": hp.l1, "l2": hp.l2, "w": w_before, "penalized": penalized},
        "clip": {"kind": hp.clip, "threshold": hp.clip_threshold,
                 "norm_before": record.clip_norm_before, "norm_after": record.clip_norm_after,
                 "used": used},
        "update": {"optimizer": hp.optimizer, "rule": RULES[hp.optimizer],
                   "learning_rate": hp.learning_rate, "g": used, "state": state,
                   "delta_w": update, "w_before": w_before, "w_after": w_after,
                   "t": trainer.optimizer_steps},
    }
