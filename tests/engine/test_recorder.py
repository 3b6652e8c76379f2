"""Tests for engine.recorder.TraceRecorder: bounded columns, thinning envelopes, since, snapshots."""
from types import SimpleNamespace

import numpy as np
import pytest

from engine import Trainer
from engine.recorder import STEP_SCALARS, TraceRecorder
from engine.stats import LAYER_STATS

N_ENTRIES = 1
WIDTH = len(STEP_SCALARS) + N_ENTRIES * len(LAYER_STATS)
CAP = 64 * 2**10


def fake_values(n_steps, seed=0):
    """Row k = the values of step k (row 0 unused): varied, with a NaN column and a sign change."""
    values = np.random.default_rng(seed).normal(size=(n_steps + 1, WIDTH))
    values[:, len(STEP_SCALARS) + LAYER_STATS.index("dead_fraction")] = np.nan  # tanh: no dead units
    return values


def fake_record(step, row):
    return SimpleNamespace(step=step, loss=row[0], accuracy=row[1], clip_norm_before=row[2],
                           clip_norm_after=row[3], layers=row[len(STEP_SCALARS):].reshape(N_ENTRIES, -1))


def coverage(recorder):
    """First and last step each row covers, and how many steps: (rows,) each."""
    first, last = recorder.first[:recorder.rows], recorder.last[:recorder.rows]
    return first, last, last - first + 1


def fill(recorder, values, steps, check_every=0):
    for step in steps:
        recorder.record(fake_record(step, values[step]))
        if check_every and step % check_every == 0:
            assert recorder.nbytes <= CAP and recorder.rows <= recorder.capacity


@pytest.fixture(scope="module")
def thinned():
    values = fake_values(200_000)
    recorder = TraceRecorder(N_ENTRIES, scalar_bytes=CAP, snapshot_every=0)
    fill(recorder, values, range(1, 200_001), check_every=997)
    return recorder, values


def test_columns_stay_under_the_byte_cap(thinned):
    recorder, _ = thinned
    assert recorder.nbytes <= CAP
    assert recorder.capacity == CAP // (8 * (3 + 3 * WIDTH))
    assert recorder.thinnings > 0 and recorder.rows <= recorder.capacity
    thinning = recorder.thinning()
    assert thinning["capacity_rows"] == recorder.capacity and thinning["thinnings"] == recorder.thinnings


def test_first_and_last_steps_kept_in_increasing_order(thinned):
    recorder, values = thinned
    steps = recorder.step[:recorder.rows]
    first, last, spans = coverage(recorder)
    assert steps[0] == 1 and spans[0] == 1 and steps[-1] == 200_000
    assert np.all(np.diff(steps) > 0)
    assert spans.sum() == 200_000
    # rows cover consecutive runs of steps, each holding the values of one step it covers
    assert first[0] == 1 and last[-1] == 200_000 and np.array_equal(first[1:], last[:-1] + 1)
    assert np.all((first <= steps) & (steps <= last))
    np.testing.assert_array_equal(recorder.value[0], values[1])


def test_newest_half_is_at_full_resolution(thinned):
    recorder, _ = thinned
    _, _, spans = coverage(recorder)
    assert np.all(spans[recorder.rows // 2 + 1:] == 1)


def test_merged_rows_keep_later_value_and_bracket_the_merged_steps(thinned):
    recorder, values = thinned
    rows = recorder.rows
    steps = recorder.step[:rows]
    starts, last, spans = coverage(recorder)
    assert np.array_equal(steps, last)  # no snapshots: the later step's values
    low = np.fmin.reduceat(values[1:], starts - 1, axis=0)
    high = np.fmax.reduceat(values[1:], starts - 1, axis=0)
    np.testing.assert_array_equal(recorder.value[:rows], values[steps])
    np.testing.assert_array_equal(recorder.low[:rows], low)
    np.testing.assert_array_equal(recorder.high[:rows], high)
    finite = np.isfinite(values[1, :])
    assert np.all(recorder.low[:rows, finite] <= recorder.value[:rows, finite])
    assert np.all(recorder.value[:rows, finite] <= recorder.high[:rows, finite])
    merged = spans > 1
    assert merged.sum() > 10 and np.all(recorder.low[:rows][merged][:, finite] < recorder.high[:rows][merged][:, finite])


@pytest.mark.parametrize("after", [0, 1, 2, 150_000, 199_990, 199_999, 200_000, 10**9])
def test_since_returns_exactly_the_rows_after_a_step(thinned, after):
    recorder, _ = thinned
    out = recorder.since(after)
    mask = recorder.step[:recorder.rows] > after
    assert np.array_equal(out["step"], recorder.step[:recorder.rows][mask])
    assert np.array_equal(out["span"], coverage(recorder)[2][mask])
    np.testing.assert_array_equal(out["value"], recorder.value[:recorder.rows][mask])


def test_small_recorder_unthinned_rows_and_since():
    values = fake_values(10)
    recorder = TraceRecorder(N_ENTRIES, scalar_bytes=CAP)
    fill(recorder, values, range(1, 11))
    assert recorder.rows == 10 and recorder.thinnings == 0
    np.testing.assert_array_equal(recorder.value[:10], values[1:])
    assert recorder.since(7)["step"].tolist() == [8, 9, 10]
    assert recorder.since(10)["value"].shape == (0, WIDTH)


def test_accuracy_none_is_nan_and_layers_ravel_in_order():
    recorder = TraceRecorder(2)
    layers = np.arange(20.0).reshape(2, 10)
    recorder.record(SimpleNamespace(step=1, loss=0.5, accuracy=None, clip_norm_before=2.0,
                                    clip_norm_after=1.0, layers=layers))
    row = recorder.value[0]
    assert row[0] == 0.5 and np.isnan(row[1]) and row[2:4].tolist() == [2.0, 1.0]
    assert row[4:].tolist() == list(range(20))


def test_minimum_capacity_still_thins_correctly():
    values = fake_values(5000, seed=3)
    recorder = TraceRecorder(N_ENTRIES, scalar_bytes=1)
    assert recorder.capacity == 16
    fill(recorder, values, range(1, 5001))
    spans, steps = coverage(recorder)[2], recorder.step[:recorder.rows]
    assert steps[0] == 1 and steps[-1] == 5000 and spans.sum() == 5000 and np.all(np.diff(steps) > 0)


# --- snapshots -----------------------------------------------------------------------------

def fake_snapshot(step, n_floats=100):
    return {"step": step, "params": [{"W": np.full((n_floats,), float(step))}]}


@pytest.mark.parametrize("n", [1, 2, 3, 10, 257])
def test_snapshots_stay_under_their_cap_keeping_first_and_newest(n):
    size = 100 * 8 + 16 + 2 * 64 + 8  # arrays + step + two dicts + one list entry
    recorder = TraceRecorder(1, snapshot_bytes=10 * size, snapshot_every=5)
    for k in range(1, n + 1):
        recorder.add_snapshot(fake_snapshot(5 * k))
        total = sum(s["_bytes"] for s in recorder.snapshots)
        assert total <= 10 * size
        assert recorder.snapshots[0]["step"] == 5 and recorder.snapshots[-1]["step"] == 5 * k
    kept = [s["step"] for s in recorder.snapshots]
    assert kept == sorted(set(kept)) and len(kept) + recorder.snapshots_dropped == n
    assert (n <= 10) == (recorder.snapshots_dropped == 0)
    assert recorder.nbytes == sum(c.nbytes for c in recorder.columns) + total


@pytest.mark.parametrize("every, step, wanted", [
    (100, 100, True), (100, 150, False), (1, 7, True), (0, 100, False), (0, 1, False),
    (1000, 1, True), (1000, 2, True), (1000, 5, True), (1000, 50, True), (1000, 500, True),  # 1-2-5 early
    (1000, 3, False), (1000, 250, False), (1000, 2000, True), (1000, 2500, False), (1000, 10000, True)])
def test_wants_snapshot(every, step, wanted):
    assert TraceRecorder(1, snapshot_every=every).wants_snapshot(step) is wanted


# --- through a Trainer ---------------------------------------------------------------------

def test_trainer_passes_caps_and_its_rows_match_its_records():
    scalar_bytes, snapshot_bytes = 40 * 8 * (3 + 3 * (4 + 30)), 200_000
    trainer = Trainer({}, snapshot_every=10, scalar_bytes=scalar_bytes, snapshot_bytes=snapshot_bytes)
    recorder = trainer.recorder
    assert recorder.capacity == 40 and recorder.snapshot_bytes == snapshot_bytes
    losses, norms = {}, {}
    for _ in range(600):
        record = trainer.step()
        losses[record.step], norms[record.step] = record.loss, record.layers[0, 0]
        columns = recorder.nbytes - sum(s["_bytes"] for s in recorder.snapshots)
        assert columns <= scalar_bytes and recorder.nbytes <= scalar_bytes + snapshot_bytes
    rows = recorder.rows
    steps = recorder.step[:rows]
    first, last, spans = coverage(recorder)
    assert steps[0] == 1 and steps[-1] == 600 and spans.sum() == 600 and np.all(np.diff(steps) > 0)
    assert recorder.thinnings > 0 and recorder.snapshots_dropped > 0
    assert recorder.snapshots[0]["step"] == 1 and recorder.snapshots[-1]["step"] == 600
    assert {s["step"] for s in recorder.snapshots} <= set(steps.tolist())  # snapshot steps keep rows
    for r in range(rows):
        covered = range(int(first[r]), int(last[r]) + 1)
        assert recorder.value[r, 0] == losses[steps[r]]
        assert recorder.low[r, 0] == min(losses[s] for s in covered)
        assert recorder.high[r, 0] == max(losses[s] for s in covered)
        assert recorder.high[r, 4] == max(norms[s] for s in covered)  # dense1 grad_norm


def test_refused_steps_are_not_recorded():
    config = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal",
                          "init_gain": 5.0}, "training": {"learning_rate": 10.0}}
    trainer = Trainer(config)
    record = trainer.run(50)
    assert not record.applied
    assert trainer.recorder.rows == trainer.steps == record.step - 1
