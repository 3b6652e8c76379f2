"""One parameter's gradient written out: per-example chain-rule terms, penalties, clipping and the
update, all from the values the step itself computed and used (never re-derived)."""
import numpy as np

from .layers import WEIGHT
from .param_edits import EditError, locate


class ExplainError(ValueError):
    """The parameter cannot be explained (no such parameter, or its backward has not run)."""


RULES = {
    "sgd": "Δw = −lr·g",
    "momentum": "buf = μ·buf_prev + g;  Δw = −lr·buf",
    "nesterov": "buf = μ·buf_prev + g;  Δw = −lr·(g + μ·buf)",
    "rmsprop": "s = ρ·s_prev + (1−ρ)·g²;  Δw = −lr·g / (√s + ε)",
    "adam": "m = β₁·m_prev + (1−β₁)·g;  v = β₂·v_prev + (1−β₂)·g²;  Δw = −lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)",
    "adamw": "as adam, plus decoupled decay −lr·wd·w",
}


def _locate(trainer, layer: int, param: str | None, index) -> tuple:
    """(entry, spec, index tuple) of a parameter element, or ExplainError saying what is wrong."""
    try:
        return locate(trainer.entries, layer, param, index)
    except EditError as exc:
        raise ExplainError(str(exc)) from None


def explain(trainer, layer: int, index, example: int = 0, param: str | None = None) -> dict:
    """dL/dθ[index] = (1/B)·Σ_b terms_b (for a dense W: terms = a_b·δ_b, a the layer's input and
    δ = B·dL/dz; for a recurrent weight each term sums over time, written out for `example` in
    `through_time`; for a kernel weight over positions, written out in `positions`), then penalties, clipping and the update of the step that computed it."""
    entry, spec, index = _locate(trainer, layer, param, index)
    tape = trainer.net.tapes[layer]
    if tape.dz is None or not entry.layer.backward_done(tape.cache):
        raise ExplainError(f"{entry.name}'s backward has not run yet in this step")
    batch = tape.dz.shape[0]
    if not 0 <= example < batch:
        raise ExplainError(f"the batch has {batch} examples; no example {example}")
    parts = entry.layer.per_example(spec.key, index, tape.cache, tape.dz)
    if parts is None:
        raise ExplainError(f"{entry.kind} layers do not write out their gradients term by term")
    terms = parts["terms"]
    complete = not trainer.mid_step
    values = trainer.last_step if complete else None
    grad = trainer.net.store.grad  # the step in progress's, or once done the last step's (values.grad)
    flat = trainer.net.store.slices[entry.param_names[spec.key]].start + int(np.ravel_multi_index(index, spec.shape))
    out = {
        "layer": layer, "layer_name": entry.name, "param": spec.key, "index": list(index),
        "batch_size": batch, "example": example,
        "a": None if parts["a"] is None else parts["a"].tolist(),
        "delta": None if parts["delta"] is None else parts["delta"].tolist(),
        "terms": terms.tolist(), "sum": float(terms.sum()), "mean": float(terms.sum() / batch),
        "grad": float(grad[flat]), "complete": complete,
    }
    if len(index) == 2:
        out.update(row=index[0], column=index[1])
    if "time" in parts:
        out["through_time"] = _through_time(parts["time"], example)
    if "positions" in parts:
        out["positions"] = _positions(parts["positions"], example)
    if values is not None:
        out.update(_after_backward(trainer, values, flat, spec.role == WEIGHT))
    return out


def _through_time(time: dict, example: int) -> dict:
    """The chosen example's term written out over time steps t = 1..T: {t, a, delta, terms, sum}
    (terms = a·δ at each t; their sum is that example's entry of `terms`)."""
    terms = time["terms"][example]
    return {"t": list(range(1, len(terms) + 1)), "a": time["a"][example].tolist(),
            "delta": time["delta"][example].tolist(), "terms": terms.tolist(), "sum": float(terms.sum())}


def _positions(positions: dict, example: int) -> dict:
    """The chosen example's term written out over the positions (i, j) a kernel slid across:
    {a, delta, terms (H_out, W_out) as lists, sum (that example's entry of `terms`), in_rows, in_cols}."""
    terms = positions["terms"][example]
    return {"a": positions["a"][example].tolist(), "delta": positions["delta"][example].tolist(),
            "terms": terms.tolist(), "sum": float(terms.sum()),
            "in_rows": positions["in_rows"], "in_cols": positions["in_cols"]}


def _after_backward(trainer, values, flat: int, penalized: bool) -> dict:
    """Penalties, clipping and the optimizer's update of one element in the step just computed."""
    hp, record = trainer.config.training, trainer.last_record
    w_before = float(values.theta_before[flat])
    update = float(values.update[flat])
    used = float(values.used[flat])
    state = {slot: {"before": float(values.state_before[slot][flat]),
                    "after": float(values.state_after[slot][flat])} for slot in values.state_after}
    return {
        "applied": values.applied,
        "penalty": {"l1": hp.l1 if penalized else 0.0, "l2": hp.l2 if penalized else 0.0,
                    "w": w_before, "penalized": float(values.penalized[flat])},
        "clip": {"kind": hp.clip, "threshold": hp.clip_threshold,
                 "norm_before": record.clip_norm_before, "norm_after": record.clip_norm_after,
                 "used": used},
        "update": {"optimizer": hp.optimizer, "rule": RULES[hp.optimizer],
                   "learning_rate": hp.learning_rate, "g": used, "state": state,
                   "delta_w": update, "w_before": w_before,
                   "w_after": float(trainer.net.store.theta[flat]), "t": values.t},
    }
