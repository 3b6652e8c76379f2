"""The trace (DESIGN.md's export): building it from a trainer, encoding it, and replaying it."""
import numpy as np
import orjson

from .recorder import STEP_SCALARS
from .stats import LAYER_STATS

FORMAT, VERSION = "backprop-lab-trace", 1


def _named(values, n_entries) -> list[dict]:
    """A row's per-layer scalars (n_entries * 10,) as [{grad_norm: ..., ...} per entry]."""
    grid = values.reshape(n_entries, len(LAYER_STATS)).tolist()
    return [dict(zip(LAYER_STATS, row)) for row in grid]


def _scalars(values, n_entries) -> dict:
    """One row's scalars by name: {loss, accuracy, clip_norm_before, clip_norm_after, layers}."""
    out = dict(zip(STEP_SCALARS, values[:len(STEP_SCALARS)].tolist()))
    out["layers"] = _named(values[len(STEP_SCALARS):], n_entries)
    return out


def _params(views: dict, entries) -> list[dict]:
    """[{W, b} or {gamma, beta} per entry] from a name -> array mapping."""
    return [{name.split(".")[1]: views[name] for name in e.param_names} for e in entries]


def snapshot(trainer, detail: dict) -> dict:
    """A snapshot of the trainer after its last step: params, grads as used, batch and detail."""
    store, entries = trainer.net.store, trainer.entries
    return {"step": trainer.steps, "batch": trainer.last_record.batch.copy(),
            "params": _params(store.views(store.theta.copy()), entries),
            "grads": _params(store.views(trainer.last_used_grad.copy()), entries),
            "detail": detail}


def export_trace(trainer) -> dict:
    """The DESIGN.md trace of the trainer's run so far, thinned history and snapshots included."""
    rec, n = trainer.recorder, len(trainer.entries)
    snapshots = {s["step"]: s for s in rec.snapshots}
    steps = []
    for r in range(rec.rows):
        step = int(rec.step[r])
        entry = {"step": step, **_scalars(rec.value[r], n)}
        first, last = int(rec.first[r]), int(rec.last[r])
        if last > first:
            entry.update(first=first, last=last, span=last - first + 1,
                         min=_scalars(rec.low[r], n), max=_scalars(rec.high[r], n))
        if step in snapshots:
            s = snapshots[step]
            entry["batch"] = s["batch"]
            entry["snapshot"] = {k: s[k] for k in ("params", "grads", "detail")}
        steps.append(entry)
    data = trainer.data
    return {
        "format": FORMAT, "version": VERSION,
        "config": trainer.initial_config.model_dump(),
        "data": {"x_train": data.x_train, "y_train": data.y_train,
                 "x_test": data.x_test, "y_test": data.y_test},
        "layers": trainer.layers,
        "initial": {"params": trainer.initial_params},
        "events": list(trainer.events),
        "steps": steps,
        "nonfinite": trainer.nonfinite,
        "thinning": rec.thinning(),
    }


def _default(obj):
    """orjson fallback: non-contiguous arrays and NumPy scalars."""
    if isinstance(obj, np.ndarray):
        return np.ascontiguousarray(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot encode {type(obj).__name__}")


def encode(document) -> bytes:
    """Strict JSON bytes: NumPy arrays natively, every non-finite number as null."""
    return orjson.dumps(document, default=_default, option=orjson.OPT_SERIALIZE_NUMPY)


def replay(trace: dict):
    """A new Trainer that re-runs the trace's config with its events, to its last recorded step."""
    from .trainer import Trainer

    trainer = Trainer(trace["config"])
    last = trace["steps"][-1]["step"] if trace["steps"] else 0
    for event in sorted(trace["events"], key=lambda e: e["step"]):
        _run_to(trainer, event["step"])
        trainer.reconfigure(event["config"])
    _run_to(trainer, last)
    return trainer


def _run_to(trainer, step: int) -> None:
    """Step until `trainer.steps == step` (a refused step ends the replay early)."""
    while trainer.steps < step:
        if not trainer.step().applied:
            return
