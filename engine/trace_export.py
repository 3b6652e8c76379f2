"""The trace (DESIGN.md's export) of a trainer's run, read through its read-only API."""
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
