"""Tests for the trace's snapshots: taken early (1, 2, 5, ...) and of the last step at export, each
with what the page shows at its step (epoch, metrics, health), under the snapshot cap."""
import numpy as np

from engine import Trainer, encode
from engine.trace_loader import parse_trace

DIVERGING = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal",
                         "init_gain": 5.0}, "training": {"learning_rate": 10.0}}


def test_a_short_run_exports_snapshots_from_its_first_step_to_its_last():
    trainer = Trainer({}, snapshot_every=1000)  # the server's setting: a short run never reaches 1000
    trainer.run(803)
    held = len(trainer.recorder.snapshots)
    trace = trainer.export_trace()
    snapshots = [s for s in trace["steps"] if "snapshot" in s]
    assert [s["step"] for s in snapshots] == [1, 2, 5, 10, 20, 50, 100, 200, 500, 803]
    assert len(trainer.recorder.snapshots) == held  # exporting keeps no snapshot of its own
    assert encode(trainer.export_trace()) == encode(trace)  # and changes nothing
    last = snapshots[-1]["snapshot"]
    assert last["epoch"] == trainer.epoch and last["metrics"] == trainer.evaluate()
    assert last["health"] == trainer.health()
    theta = trainer.net.store.views(trainer.net.store.theta)
    assert np.array_equal(last["params"][0]["W"], theta["dense1.W"])
    assert [s["snapshot"]["epoch"] for s in snapshots] == sorted(s["snapshot"]["epoch"] for s in snapshots)
    assert all(set(s["snapshot"]) == {"epoch", "params", "grads", "detail", "metrics", "health"} for s in snapshots)
    assert parse_trace(encode(trace))["steps"][-1]["snapshot"]["metrics"] == trainer.evaluate()


def test_the_snapshot_taken_at_export_stays_under_the_snapshot_cap():
    one = Trainer({}, snapshot_every=1000)
    one.run(1)
    size = one.recorder.snapshots[0]["_bytes"]
    trainer = Trainer({}, snapshot_every=1000, snapshot_bytes=int(3.5 * size))
    trainer.run(803)
    held = [s["step"] for s in trainer.recorder.snapshots]
    assert held[0] == 1 and held[-1] == 500 and len(held) <= 3
    trace = trainer.export_trace()
    exported = [s["step"] for s in trace["steps"] if "snapshot" in s]
    assert exported[0] == 1 and exported[-1] == 803 and len(exported) <= 3
    dropped = trainer.recorder.snapshots_dropped + len(held) + 1 - len(exported)
    assert trace["thinning"]["snapshots_dropped"] == dropped
    assert [s["step"] for s in trainer.recorder.snapshots] == held  # the recorder keeps its own


def test_a_diverged_export_ends_with_a_snapshot_that_says_so():
    trainer = Trainer(DIVERGING, snapshot_every=1000)
    assert not trainer.run(50).applied
    trace = parse_trace(encode(trainer.export_trace()))
    last = trace["steps"][-1]
    assert last["step"] == trainer.steps and "snapshot" in last
    badges = {b["id"]: b for b in last["snapshot"]["health"]}
    assert badges["diverged"]["status"] == "warn"
    assert badges["diverged"]["layers"] == [trainer.nonfinite["layer_name"]]
    assert trace["steps"][0]["snapshot"]["health"][-1]["status"] == "ok"  # step 1 had not diverged


def test_no_snapshots_when_they_are_off():
    trainer = Trainer({}, snapshot_every=0)
    trainer.run(30)
    assert not any("snapshot" in s for s in trainer.export_trace()["steps"])
