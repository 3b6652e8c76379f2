"""The trace (DESIGN.md's export) of a trainer's run, read through its read-only API."""
from .recorder import STEP_SCALARS
from .stats import LAYER_STATS

FORMAT, VERSION = "backprop-lab-trace", 1


def _scalars(values, rec) -> dict:
    """One row's scalars by name: {loss, accuracy, clip_norm_before, clip_norm_after, layers},
    each recurrent entry's layer dict with its signal_norm_by_time (T,) and recurrent_grad_norm."""
    out = dict(zip(STEP_SCALARS, values[:len(STEP_SCALARS)].tolist()))
    row = values[None]
    out["layers"] = [dict(zip(LAYER_STATS, entry)) for entry in rec.layer_values(row)[0].tolist()]
    if rec.time_layout and rec.time_layout.entries:
        signals, norms = rec.time_values(row)
        for i, signal, norm in zip(rec.time_layout.entries, signals[0].tolist(), norms[0].tolist()):
            out["layers"][i].update(signal_norm_by_time=signal, recurrent_grad_norm=norm)
    return out


SNAPSHOT_KEYS = ("epoch", "params", "grads", "detail", "metrics", "health")


def _snapshots(trainer) -> list:
    """The recorder's snapshots, with the last recorded step's taken now, from the current state,
    when it has none or a refused step followed it (so every export can be replayed to its end, a
    divergence included), under the recorder's snapshot cap; none when snapshots are off."""
    rec = trainer.recorder
    last = int(rec.step[rec.rows - 1]) if rec.rows else 0
    refused = trainer.last_record is not None and not trainer.last_record.applied
    held = any(s["step"] == last for s in rec.snapshots)
    if rec.snapshot_every > 0 and last == trainer.steps > 0 and (not held or refused):
        return rec.with_snapshot(trainer.snapshot())
    return rec.snapshots


def export_trace(trainer) -> dict:
    """The DESIGN.md trace of the trainer's run so far, thinned history and snapshots included."""
    rec = trainer.recorder
    snapshots = {s["step"]: s for s in _snapshots(trainer)}
    dropped = len({s["step"] for s in rec.snapshots} - set(snapshots))  # by the one taken now
    steps = []
    for r in range(rec.rows):
        step = int(rec.step[r])
        entry = {"step": step, **_scalars(rec.value[r], rec)}
        first, last = int(rec.first[r]), int(rec.last[r])
        if last > first:
            entry.update(first=first, last=last, span=last - first + 1,
                         min=_scalars(rec.low[r], rec), max=_scalars(rec.high[r], rec))
        if step in snapshots:
            s = snapshots[step]
            entry["batch"] = s["batch"]
            entry["snapshot"] = {k: s[k] for k in SNAPSHOT_KEYS}
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
        "thinning": {**rec.thinning(), "snapshots_dropped": rec.snapshots_dropped + dropped},
    }
