"""Statistics through time (issue 14, point 4): every step's ‖dL/dh_t‖ and ‖dL/dW_h‖ of each
recurrent entry, against a BPTT written out here in NumPy; recorded within the recorder's byte
bound on the largest sequence net; exported, loaded and checked; the through-time health rules
on runs that really vanish and explode."""
import copy

import numpy as np
import orjson
import pytest

from engine import Trainer, encode, parse_trace
from engine.activations import sigmoid
from engine.health_time import TIME_RULES
from engine.recorder import DEFAULT_SCALAR_BYTES, DEFAULT_SNAPSHOT_BYTES
from engine.trace_loader import TraceError

pytestmark = pytest.mark.filterwarnings("error")

LARGEST = {"dataset": {"name": "sine", "seq_len": 100, "n_samples": 64},
           "network": {"hidden": [{"kind": "lstm", "units": 64}] * 4},
           "training": {"loss": "mse", "batch_size": 32}}


def tanh_rnn_run(steps=3):
    config = {"seed": 4, "dataset": {"name": "remember_first", "seq_len": 7, "n_samples": 40},
              "network": {"hidden": [{"kind": "rnn", "units": 5}]},
              "training": {"batch_size": 6, "dtype": "float64", "learning_rate": 0.3}}
    trainer = Trainer(config)
    trainer.run(steps)
    return trainer


def bptt_by_hand(trainer):
    """‖dL/dh_t‖ for t = 1..T and dL/dW_h of the last step of a one-layer tanh RNN, many-to-one
    with bce, from the weights the step started from, written out without the engine's code."""
    views = trainer.net.store.views(trainer.last_step.theta_before)
    W_x, W_h, b = views["rnn1.W_x"], views["rnn1.W_h"], views["rnn1.b"]
    W_out, b_out = views["dense2.W"], views["dense2.b"]
    batch = trainer.last_record.batch
    x, y = trainer.data.x_train[batch], trainer.data.y_train[batch].astype(float)
    B, T, _ = x.shape
    hs = [np.zeros((B, W_h.shape[0]))]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ W_x + hs[-1] @ W_h + b))
    dout = (sigmoid(hs[-1] @ W_out + b_out)[:, 0] - y) / B
    dh = np.outer(dout, W_out[:, 0])
    norms, dW_h = np.zeros(T), np.zeros_like(W_h)
    for t in reversed(range(T)):
        norms[t] = np.linalg.norm(dh)
        delta = dh * (1 - hs[t + 1] ** 2)
        dW_h += hs[t].T @ delta
        dh = delta @ W_h.T
    return norms, dW_h


def test_signal_norm_by_time_and_recurrent_grad_norm_match_bptt_written_out():
    trainer = tanh_rnn_run()
    norms, dW_h = bptt_by_hand(trainer)
    through = trainer.last_record.through_time
    assert through.shape == (1, 8)
    assert np.allclose(through[0, :7], norms, rtol=1e-12, atol=0)
    assert np.isclose(through[0, 7], np.linalg.norm(dW_h), rtol=1e-12, atol=0)
    assert norms[0] < norms[-1]  # it fades into the past on this net
    rec = trainer.recorder
    signals, grad_norms = rec.time_values(rec.value[:rec.rows])
    assert signals.shape == (3, 1, 7) and grad_norms.shape == (3, 1)
    assert np.array_equal(signals[-1, 0], through[0, :7]) and grad_norms[-1, 0] == through[0, 7]


def test_a_points_net_records_no_statistics_through_time():
    trainer = Trainer({})
    trainer.run(2)
    assert trainer.last_record.through_time is None
    assert trainer.recorder.width == 4 + 10 * len(trainer.entries)
    assert all("signal_norm_by_time" not in layer for layer in trainer.export_trace()["steps"][-1]["layers"])


def test_stacked_recurrent_entries_each_get_their_row():
    trainer = Trainer({"dataset": {"name": "adding", "seq_len": 5, "n_samples": 40},
                       "network": {"hidden": [{"kind": "lstm", "units": 3}, {"kind": "rnn", "units": 4},
                                              {"units": 3}]},
                       "training": {"loss": "mse", "batch_size": 8}})
    trainer.run(2)
    through = trainer.last_record.through_time
    assert through.shape == (2, 6)
    for r, i in enumerate((0, 1)):
        cache = trainer.net.tapes[i].cache
        assert np.array_equal(through[r, :5], cache.signal_by_time)
        assert through[r, 5] == pytest.approx(np.linalg.norm(trainer.net.grads[i]["W_h"]), rel=1e-6)


def test_the_recorder_stays_within_its_bound_on_the_largest_sequence_net_over_100000_steps():
    trainer = Trainer(LARGEST)
    trainer.step()
    record, snapshot = trainer.last_record, trainer.snapshot()
    rec = trainer.recorder
    assert rec.width == 4 + 10 * 5 + 4 * 101
    row_bytes = 8 * (3 + 3 * rec.width)
    assert rec.capacity == DEFAULT_SCALAR_BYTES // row_bytes  # the columns are allocated once, at the bound
    columns = sum(c.nbytes for c in rec.columns)
    assert columns <= DEFAULT_SCALAR_BYTES
    for step in range(2, 100_001):
        record.step = step
        rec.record(record)
        if rec.wants_snapshot(step):
            rec.add_snapshot({**snapshot, "step": step})
        if step % 9973 == 0:
            assert sum(c.nbytes for c in rec.columns) == columns
            assert sum(s["_bytes"] for s in rec.snapshots) <= DEFAULT_SNAPSHOT_BYTES
    assert rec.thinnings > 0 and rec.rows <= rec.capacity and rec.step[rec.rows - 1] == 100_000
    assert rec.nbytes <= DEFAULT_SCALAR_BYTES + DEFAULT_SNAPSHOT_BYTES
    signals, _ = rec.time_values(rec.value[:rec.rows])
    assert np.array_equal(signals[-1], record.through_time[:, :100])


def exported(trainer) -> dict:
    return orjson.loads(encode(trainer.export_trace()))


def test_the_trace_exports_them_per_recurrent_entry_and_loads_them():
    trainer = tanh_rnn_run(4)
    trace = exported(trainer)
    last = trace["steps"][-1]["layers"]
    assert last[0]["signal_norm_by_time"] == trainer.last_record.through_time[0, :7].tolist()
    assert last[0]["recurrent_grad_norm"] == trainer.last_record.through_time[0, 7]
    assert "signal_norm_by_time" not in last[1] and "recurrent_grad_norm" not in last[1]
    parse_trace(encode(trace))


def test_thinned_rows_export_their_envelopes_through_time():
    trainer = Trainer({"dataset": {"name": "remember_first", "seq_len": 4, "n_samples": 40},
                       "network": {"hidden": [{"kind": "rnn", "units": 3}]}, "training": {"batch_size": 8}},
                      snapshot_every=0, scalar_bytes=8 * (3 + 3 * (4 + 20 + 5)) * 16)
    trainer.run(40)
    merged = [s for s in exported(trainer)["steps"] if "span" in s]
    assert merged
    for s in merged:
        low, high = s["min"]["layers"][0], s["max"]["layers"][0]
        assert all(lo <= v <= hi for lo, v, hi in zip(low["signal_norm_by_time"], s["layers"][0]["signal_norm_by_time"],
                                                      high["signal_norm_by_time"]))
        assert low["recurrent_grad_norm"] <= high["recurrent_grad_norm"]


@pytest.mark.parametrize("corrupt, where, message", [
    (lambda l: l.update(signal_norm_by_time=[1.0] * 6), "steps[2].layers[0].signal_norm_by_time",
     "must be a list of 7 numbers (one per time step)"),
    (lambda l: l.update(signal_norm_by_time=[1.0] * 6 + ["x"]), "steps[2].layers[0].signal_norm_by_time",
     "must be a list of 7 numbers (one per time step)"),
    (lambda l: l.pop("signal_norm_by_time"), "steps[2].layers[0].signal_norm_by_time",
     "must be a list of 7 numbers (one per time step)"),
    (lambda l: l.update(recurrent_grad_norm=True), "steps[2].layers[0].recurrent_grad_norm",
     "must be a number or null"),
    (lambda l: l.pop("recurrent_grad_norm"), "steps[2].layers[0].recurrent_grad_norm", "must be a number or null"),
])
def test_the_loader_checks_them_naming_where(corrupt, where, message):
    trace = exported(tanh_rnn_run(4))
    bad = copy.deepcopy(trace)
    corrupt(bad["steps"][2]["layers"][0])
    with pytest.raises(TraceError) as caught:
        parse_trace(encode(bad))
    assert (caught.value.where, caught.value.message) == (where, message)
    nulls = copy.deepcopy(trace)  # a non-finite statistic travels as null and is accepted
    nulls["steps"][2]["layers"][0]["signal_norm_by_time"][0] = None
    nulls["steps"][2]["layers"][0]["recurrent_grad_norm"] = None
    parse_trace(encode(nulls))


# --- health through time ---------------------------------------------------------------------

def badges(trainer) -> dict:
    return {b["id"]: b for b in trainer.health() if b["id"] in TIME_RULES}


def median_ratio(trainer, entry=0) -> float:
    rec = trainer.recorder
    signals, _ = rec.time_values(rec.value[:rec.rows])
    return float(np.median(signals[:, entry, 0] / signals[:, entry, -1]))


VANISHING = {"dataset": {"name": "remember_first", "seq_len": 50},
             "network": {"hidden": [{"kind": "rnn", "units": 16}]}}
EXPLODING = {"dataset": {"name": "adding", "seq_len": 20},
             "network": {"hidden": [{"kind": "rnn", "units": 16, "activation": "relu"}],
                         "recurrent_init": "identity", "init_gain": 1.5},
             "training": {"loss": "mse", "clip": "norm", "clip_threshold": 1.0}}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_tanh_rnn_on_a_long_sequence_vanishes_through_time(seed):
    trainer = Trainer({**VANISHING, "seed": seed})
    trainer.run(40)
    found = badges(trainer)
    ratio = median_ratio(trainer)
    assert ratio < 1e-4
    vanishing = found["vanishing_through_time"]
    assert vanishing["status"] == "warn" and vanishing["layers"] == ["rnn1"]
    assert vanishing["value"] == pytest.approx(ratio, rel=1e-12)
    assert "LSTM" in vanishing["try"] and "orthogonal or identity" in vanishing["try"]
    assert found["exploding_through_time"]["status"] == "ok"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_irnn_with_gain_above_one_explodes_through_time(seed):
    trainer = Trainer({**EXPLODING, "seed": seed})
    trainer.run(40)
    found = badges(trainer)
    ratio = median_ratio(trainer)
    assert ratio > 100
    exploding = found["exploding_through_time"]
    assert exploding["status"] == "warn" and exploding["layers"] == ["rnn1"]
    assert exploding["value"] == pytest.approx(ratio, rel=1e-12)
    assert "clipping" in exploding["try"]
    assert found["vanishing_through_time"]["status"] == "ok"


def test_a_short_lstm_does_not_explode_and_is_not_judged_for_vanishing():
    trainer = Trainer({"dataset": {"name": "remember_first", "seq_len": 5},
                       "network": {"hidden": [{"kind": "lstm", "units": 8}]}})
    trainer.run(30)
    found = badges(trainer)
    assert [found[rule]["status"] for rule in TIME_RULES] == ["unknown", "ok"]
    assert "its cell c" in found["vanishing_through_time"]["headline"]
    assert 1e-2 < median_ratio(trainer) < 100


def test_vanishing_through_time_judges_the_rnn_and_not_the_lstm_of_a_stacked_net():
    trainer = Trainer({**VANISHING, "network": {**VANISHING["network"],
                       "hidden": [*VANISHING["network"]["hidden"], {"kind": "lstm", "units": 8}]}})
    trainer.run(30)
    vanishing = badges(trainer)["vanishing_through_time"]
    assert median_ratio(trainer, entry=0) < 1e-2
    assert vanishing["status"] == "warn" and vanishing["layers"] == ["rnn1"]
    assert vanishing["value"] == pytest.approx(median_ratio(trainer, entry=0), rel=1e-12)


def test_through_time_badges_come_after_the_others_only_for_recurrent_nets():
    fresh = Trainer(VANISHING)
    ids = [b["id"] for b in fresh.health()]
    assert ids[-2:] == list(TIME_RULES) and ids[-3] == "diverged"
    assert [b["status"] for b in fresh.health()[-2:]] == ["unknown", "unknown"]
    assert not set(TIME_RULES) & {b["id"] for b in Trainer({}).health()}
