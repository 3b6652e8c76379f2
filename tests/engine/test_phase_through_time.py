"""Phase stepping through time (issue 14, point 6): a recurrent entry is one phase per time step,
forward t = 1..T and backward t = T..1; every phase run leaves bitwise the state of a plain step,
and both equal an SGD step written out here in NumPy; explain itemizes a recurrent weight's
gradient over time."""
import numpy as np
import pytest

from engine import ExplainError, Trainer
from engine.activations import sigmoid

pytestmark = pytest.mark.filterwarnings("error")

STACKED = {"seed": 5, "dataset": {"name": "sine", "seq_len": 6, "n_samples": 40},
           "network": {"hidden": [{"kind": "rnn", "units": 4}, {"kind": "lstm", "units": 3}, {"units": 2}]},
           "training": {"loss": "mse", "optimizer": "adam", "batch_size": 8}}
TANH = {"seed": 7, "dataset": {"name": "remember_first", "seq_len": 5, "n_samples": 40},
        "network": {"hidden": [{"kind": "rnn", "units": 3}]},
        "training": {"batch_size": 6, "dtype": "float64", "learning_rate": 0.5}}


def one_step_of_phases(trainer) -> list:
    records = [trainer.phase()]
    while records[-1].phase != "update":
        records.append(trainer.phase())
    return records


def test_a_recurrent_entry_is_one_phase_per_time_step_forward_then_backward_in_time():
    trainer = Trainer(STACKED)
    records = one_step_of_phases(trainer)
    order = [(r.phase, r.layer, r.t) for r in records]
    forward = [("forward", i, t) for i in (0, 1) for t in range(1, 7)] + [("forward", 2, None), ("forward", 3, None)]
    backward = [("backward", 3, None), ("backward", 2, None)] + [("backward", i, t) for i in (1, 0) for t in range(6, 0, -1)]
    assert order == forward + [("loss", None, None)] + backward + [("update", None, None)]
    for r in records:
        cache = trainer.net.tapes[r.layer].cache if r.layer is not None else None
        if r.phase == "forward" and r.t is not None and r.t < 6:
            assert sorted(r.tensors) == ["h", "x"]
            assert np.array_equal(r.tensors["h"], cache.h[:, r.t - 1])
            assert np.array_equal(r.tensors["x"], trainer.net.tapes[r.layer].x[:, r.t - 1])
        if r.phase == "backward" and r.t is not None and r.t > 1:
            assert sorted(r.tensors) == ["dh", "dpre"]
            assert np.array_equal(r.tensors["dh"], cache.dh[:, r.t - 1])
            assert np.array_equal(r.tensors["dpre"], cache.dpre[:, r.t - 1])
    last_backward = records[-2]
    assert (last_backward.layer, last_backward.t) == (0, 1) and {"dW_x", "dW_h", "db"} <= set(last_backward.tensors)


def test_each_recurrent_phase_carries_the_shown_example_so_far_in_a_stacked_net():
    trainer = Trainer(STACKED)
    records = one_step_of_phases(trainer)
    caches = {i: trainer.net.tapes[i].cache for i in (0, 1)}  # the step the phases ran, now whole
    shown = [r for r in records if r.through_time is not None]
    assert [(r.phase, r.layer, r.t) for r in shown] == [(r.phase, r.layer, r.t) for r in records if r.t is not None]
    for r in shown:
        h, dh = caches[r.layer].h[0], caches[r.layer].dh[0]
        so_far = r.through_time
        assert so_far["example"] == 0
        if r.phase == "forward":
            assert np.array_equal(so_far["h"], h[:r.t]) and so_far["dh"] is None and so_far["output"] is None
        else:
            assert np.array_equal(so_far["h"], h) and np.array_equal(so_far["dh"], dh[r.t - 1:])
            assert so_far["output"].shape == (6,)  # many-to-many: the example's output at every t
        assert np.array_equal(so_far["x"], trainer.net.tapes[0].x[0])  # the net's inputs, for either layer


def sgd_step_by_hand(theta: dict, x, y, lr):
    """One SGD step of a tanh RNN (many-to-one, bce, mean over the batch) and its dense output,
    written out without the engine: the new weights by name."""
    W_x, W_h, b, W, c = (theta[k] for k in ("rnn1.W_x", "rnn1.W_h", "rnn1.b", "dense2.W", "dense2.b"))
    B, T, _ = x.shape
    hs = [np.zeros((B, len(W_h)))]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ W_x + hs[-1] @ W_h + b))
    dout = (sigmoid(hs[-1] @ W + c) - y[:, None]) / B
    grads = {"dense2.W": hs[-1].T @ dout, "dense2.b": dout.sum(axis=0)}
    dh, dW_x, dW_h, db = dout @ W.T, 0 * W_x, 0 * W_h, 0 * b
    for t in reversed(range(T)):
        delta = dh * (1 - hs[t + 1] ** 2)
        dW_x, dW_h, db = dW_x + x[:, t].T @ delta, dW_h + hs[t].T @ delta, db + delta.sum(axis=0)
        dh = delta @ W_h.T
    grads.update({"rnn1.W_x": dW_x, "rnn1.W_h": dW_h, "rnn1.b": db})
    return {k: theta[k] - lr * grads[k] for k in grads}


def test_every_phase_run_equals_a_plain_step_bitwise_and_an_sgd_step_written_out():
    stepped, phased = Trainer(TANH), Trainer(TANH)
    for _ in range(3):
        theta = {k: v.copy() for k, v in stepped.net.store.params.items()}
        batch = stepped.sampler.peek(6)
        stepped.step()
        one_step_of_phases(phased)
        assert np.array_equal(stepped.net.store.theta, phased.net.store.theta)
        assert np.array_equal(stepped.net.store.grad, phased.net.store.grad)
        assert np.array_equal(stepped.recorder.value[:3], phased.recorder.value[:3], equal_nan=True)
        expected = sgd_step_by_hand(theta, stepped.data.x_train[batch], stepped.data.y_train[batch], 0.5)
        for name, value in expected.items():
            np.testing.assert_allclose(stepped.net.store.params[name], value, rtol=1e-12, atol=1e-14)
    for a, b in zip(stepped.net.tapes[0].cache.__dict__.values(), phased.net.tapes[0].cache.__dict__.values()):
        assert a is None and b is None or np.array_equal(a, b)


@pytest.mark.parametrize("param, index", [("W_h", (2, 1)), ("W_x", (0, 2)), ("b", (1,))])
def test_explain_itemizes_a_recurrent_weight_over_time_and_its_terms_sum_to_the_gradient_used(param, index):
    config = {**TANH, "training": {**TANH["training"], "l2": 0.01, "clip": "norm", "clip_threshold": 0.05}}
    trainer = Trainer(config)
    trainer.run(3)
    out = trainer.explain(0, index, example=4, param=param)
    cache, B = trainer.net.tapes[0].cache, 6
    h_before = np.concatenate([np.zeros((B, 1, 3)), cache.h[:, :-1]], axis=1)
    delta = B * cache.dh * (1 - cache.h ** 2)  # tanh: dL/d(pre-activation) = dL/dh_t·(1 − h_t²)
    a = {"W_h": lambda: h_before[:, :, index[0]], "W_x": lambda: cache.x[:, :, index[0]],
         "b": lambda: np.ones((B, 5))}[param]()
    time = out["through_time"]
    assert time["t"] == [1, 2, 3, 4, 5] and out["a"] is None and out["delta"] is None
    np.testing.assert_allclose(time["a"], a[4], rtol=0, atol=0)
    np.testing.assert_allclose(time["delta"], delta[4, :, index[-1]], rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(time["terms"], a[4] * delta[4, :, index[-1]], rtol=1e-12, atol=1e-17)
    assert time["sum"] == pytest.approx(out["terms"][4], rel=1e-12, abs=1e-17)
    np.testing.assert_allclose(out["terms"], (a * delta[:, :, index[-1]]).sum(axis=1), rtol=1e-12, atol=1e-17)
    assert out["mean"] == pytest.approx(out["grad"], rel=1e-12, abs=1e-17)
    flat = trainer.net.store.slices[f"rnn1.{param}"].start + int(np.ravel_multi_index(index, trainer.net.params[0][param].shape))
    values = trainer.last_step
    assert out["grad"] == values.grad[flat]
    w = values.theta_before[flat]
    assert out["penalty"]["penalized"] == values.penalized[flat] == pytest.approx(
        out["grad"] + (0.01 * w if param != "b" else 0.0), rel=1e-14)
    norm = trainer.last_record.clip_norm_before
    assert out["clip"]["used"] == values.used[flat] == pytest.approx(out["penalty"]["penalized"] * 0.05 / (norm + 1e-6), rel=1e-12)
    assert out["update"]["delta_w"] == pytest.approx(-0.5 * out["clip"]["used"], rel=1e-15)
    assert out["update"]["w_after"] == trainer.net.store.theta[flat]


def test_an_lstm_weight_is_itemized_over_time_too():
    trainer = Trainer({**STACKED, "training": {**STACKED["training"], "dtype": "float64"}})
    trainer.run(2)
    out = trainer.explain(1, (2, 7), example=1, param="W_h")  # a forget-gate column
    assert len(out["through_time"]["terms"]) == 6
    assert out["through_time"]["sum"] == pytest.approx(out["terms"][1], rel=1e-12)
    assert out["mean"] == pytest.approx(out["grad"], rel=1e-12, abs=1e-17)


def test_explain_refuses_a_recurrent_weight_until_its_backward_reaches_t_1():
    trainer = Trainer(TANH)
    trainer.run(1)
    while True:
        record = trainer.phase()
        if record.phase == "backward" and record.layer == 0:
            break
    assert record.t == 5
    with pytest.raises(ExplainError, match="rnn1's backward has not run yet in this step"):
        trainer.explain(0, (0, 0), param="W_h")
    while record.t != 1:
        record = trainer.phase()
    out = trainer.explain(0, (0, 0), param="W_h")
    assert not out["complete"] and out["mean"] == pytest.approx(out["grad"], rel=1e-12, abs=1e-17)
