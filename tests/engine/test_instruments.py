"""The instruments (issue 16, points 2-4): the gradient check, the loss along the step and the
sharpness, each against an independent computation, and none of them touching the run."""
import numpy as np
import pytest

from hypothesis import example, given, settings, strategies as st

from engine import LAYERS, Trainer
from engine.activations import ACTIVATIONS
from engine.gradcheck import gradcheck, reading
from engine.layers.dense import Dense
from engine.loss_line import ALPHAS, loss_line
from engine.probe import InstrumentError, Probe
from engine.sharpness import sharpness

SMOOTH = {
    "sigmoid": {"network": {"hidden": [{"units": 5, "activation": "sigmoid"}] * 2}},
    "tanh_cross_entropy": {"dataset": {"name": "blobs", "n_classes": 3},
                           "network": {"hidden": [{"units": 6, "activation": "tanh"}]},
                           "training": {"loss": "cross_entropy"}},
    "linear_mse": {"dataset": {"name": "plane"}, "network": {"hidden": [{"units": 4, "activation": "linear"}]},
                   "training": {"loss": "mse"}},
    "batch_norm_residual": {"network": {"hidden": [{"units": 4, "activation": "tanh"}] * 3,
                                        "batch_norm": True, "residual": True}},
    "rnn": {"dataset": {"name": "adding", "seq_len": 6},
            "network": {"hidden": [{"kind": "rnn", "units": 5}, {"units": 3, "activation": "tanh"}]},
            "training": {"loss": "mse"}},
    "lstm_many_to_many": {"dataset": {"name": "sine", "seq_len": 5},
                          "network": {"hidden": [{"kind": "lstm", "units": 4}]}, "training": {"loss": "mse"}},
    "float32_run": {"training": {"dtype": "float32"}},
}
ORDER = {"name": "circle", "n_samples": 60}


def trained(config, steps=3, seed=1):
    trainer = Trainer({**config, "seed": seed}, snapshot_every=0)
    trainer.run(steps)
    return trainer


@pytest.mark.parametrize("name", list(SMOOTH))
def test_gradient_check_is_right_on_smooth_nets(name):
    trainer = trained(SMOOTH[name])
    report = gradcheck(trainer)
    assert [(e["name"], e["param"]) for e in report["entries"]] == [
        (entry.name, key) for entry in trainer.entries for key in entry.param_names]
    kinds = [e["kind"] for e in trainer.layers]
    for entry in report["entries"]:
        where = trainer.net.store.slices[f"{entry['name']}.{entry['param']}"]
        assert entry["size"] == where.stop - where.start and entry["checked"] == min(entry["size"], 64)
        assert entry["kinks"] == 0
        before_batch_norm = entry["layer"] + 1 < len(kinds) and kinds[entry["layer"] + 1] == "batch_norm"
        if before_batch_norm and entry["param"] == "b":  # batch norm subtracts it again: no effect
            assert entry["verdict"] == "zero", entry
            continue
        assert entry["rel_error"] < 1e-7 and entry["verdict"] == "right", entry
    assert report["batch"] == trainer.config.training.batch_size and report["dropout_off"] is False


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@settings(max_examples=4, deadline=None)
@given(depth=st.integers(1, 3), units=st.integers(2, 8), seed=st.integers(0, 2**16))
@example(depth=1, units=6, seed=721).via("found flaky by hypothesis")
def test_random_nets_of_every_activation_are_right_except_at_kinks(activation, depth, units, seed):
    trainer = trained({"dataset": {"name": "circle", "n_samples": 80},
                       "network": {"hidden": [{"units": units, "activation": activation}] * depth}}, seed=seed)
    for entry in gradcheck(trainer)["entries"]:
        if ACTIVATIONS[activation].kinked and entry["kinks"]:
            assert entry["verdict"] in ("right", "kinks"), entry
        elif entry["verdict"] == "roundoff":  # a gradient so small (an output bias near 0: seed 721,
            assert entry["rel_error"] < 1e-4, entry  # gelu) that float64's roundoff makes the gap
        else:
            assert entry["rel_error"] < 1e-7 and entry["verdict"] == "right", entry


def test_relu_nets_are_right_or_name_the_kink():
    trainer = trained({"network": {"hidden": [{"units": 8, "activation": "relu"}] * 3}}, steps=20)
    for entry in gradcheck(trainer)["entries"]:
        assert (entry["verdict"] == "right") != (entry["kinks"] > 0 and entry["verdict"] == "kinks"), entry


def test_one_layer_only_and_a_missing_layer_named():
    trainer = trained(SMOOTH["sigmoid"])
    assert [(e["layer"], e["param"]) for e in gradcheck(trainer, layer=1)["entries"]] == [(1, "W"), (1, "b")]
    with pytest.raises(InstrumentError, match="there is no layer 7; the network has 3"):
        gradcheck(trainer, layer=7)


class DropsATerm(Dense):
    """A dense layer whose backward forgets the last example's share of dL/dW (a test double)."""

    def backward(self, dz, cache, params, grads, need_dx=True):
        dx = super().backward(dz, cache, params, grads, need_dx)
        grads["W"] -= np.outer(cache[-1], dz[-1])  # cache: the input x (B, fan_in)
        return dx


def test_a_wrong_backward_is_flagged_wrong(monkeypatch):
    monkeypatch.setitem(LAYERS, "dense", DropsATerm)
    trainer = trained(SMOOTH["sigmoid"], steps=1)
    verdicts = {(e["name"], e["param"]): e["verdict"] for e in gradcheck(trainer)["entries"]}
    assert verdicts[("dense1", "W")] == "wrong" and verdicts[("dense2", "W")] == "wrong"
    assert verdicts[("dense1", "b")] == "right" and verdicts[("dense3", "W")] == "right"  # the output's own Dense


def test_roundoff_explains_a_gap_only_when_it_is_as_large():
    analytic = np.array([1.0, 2.0, 3.0])
    numeric = analytic + np.array([1e-3, 0.0, 0.0])  # relative error 2.7e-4: wrong, unless roundoff
    assert reading(analytic, numeric, np.full(3, 1e-6), kinks=0)[1] == "wrong"
    assert reading(analytic, numeric, np.full(3, 1e-3), kinks=0)[1] == "roundoff"
    assert reading(analytic, analytic + 1e-9, np.full(3, 1e-3), kinks=0)[1] == "right"  # agreement is evidence
    assert reading(np.zeros(3), np.zeros(3), np.full(3, 1e3), kinks=0)[1] == "roundoff"  # nothing resolved
    assert reading(np.zeros(3), np.zeros(3), np.full(3, 1e-12), kinks=0)[1] == "zero"


def test_line_starts_at_the_steps_loss_and_lands_at_the_new_weights_loss():
    trainer = trained({"network": {"hidden": [{"units": 6, "activation": "tanh"}]}}, steps=4)
    line = loss_line(trainer)
    at = {a: k for k, a in enumerate(line["alpha"])}
    assert line["alpha"] == ALPHAS.tolist() and line["alpha"][0] == -1.0 and line["alpha"][-1] == 3.0
    assert line["step"] == 4 and line["loss"][at[0.0]] == pytest.approx(trainer.last_record.loss, rel=1e-14)
    batch = trainer.last_record.batch
    out, _ = trainer.net.evaluate(trainer.data.x_train[batch])  # no batch norm or dropout: eval = train
    landed = trainer.loss.per_example(out, trainer.targets[batch]).mean()
    assert line["loss"][at[1.0]] == pytest.approx(landed, rel=1e-13)
    assert line["gradient_loss"][at[0.0]] == line["loss"][at[0.0]]
    assert line["step_length"] == pytest.approx(np.linalg.norm(trainer.last_update), rel=1e-14)


def test_plain_sgd_moves_along_the_negative_gradient_so_both_lines_agree():
    trainer = trained({"training": {"optimizer": "sgd"}}, steps=2)
    line = loss_line(trainer)
    np.testing.assert_allclose(line["gradient_loss"], line["loss"], rtol=1e-12)


def test_no_line_before_a_step_and_a_float32_line_in_float64():
    trainer = Trainer({"training": {"dtype": "float32"}}, snapshot_every=0)
    with pytest.raises(InstrumentError, match="no step has been applied yet"):
        loss_line(trainer)
    trainer.run(2)
    line = loss_line(trainer)
    assert line["loss"][10] == pytest.approx(trainer.last_record.loss, rel=1e-6)


def full_hessian(probe) -> np.ndarray:
    """Every column of the Hessian by central differences of backpropagated gradients: (P, P)."""
    size, h = probe.theta.size, 1e-5
    columns = []
    for k in range(size):
        e = np.zeros(size)
        e[k] = h
        columns.append((probe.gradient_at(probe.theta + e)[1] - probe.gradient_at(probe.theta - e)[1]) / (2 * h))
    hessian = np.array(columns)
    return (hessian + hessian.T) / 2


def test_sharpness_matches_the_full_hessians_top_eigenvalue():
    trainer = trained({"dataset": {"name": "gauss", "n_samples": 80}, "training": {"learning_rate": 0.1},
                       "network": {"hidden": [{"units": 3, "activation": "tanh"}]}}, steps=30)
    result = sharpness(trainer, iterations=200)
    eigenvalues = np.linalg.eigvalsh(full_hessian(Probe(trainer, np.arange(result["batch"]))))
    top = eigenvalues[np.argmax(np.abs(eigenvalues))]
    assert result["value"] == pytest.approx(top, rel=0.01)
    assert result["step"] == 30 and result["two_over_lr"] == 20.0 and result["batch"] == 40
    assert 1 <= result["iterations"] <= 200


def test_no_instrument_changes_the_run_or_its_randomness():
    config = {"network": {"hidden": [{"units": 5, "activation": "relu"}] * 2, "batch_norm": True,
                          "dropout": 0.2}, "training": {"optimizer": "adam"}}
    probed, plain = Trainer(config), Trainer(config)
    probed.run(7)
    report = gradcheck(probed)
    assert report["dropout_off"] is True
    loss_line(probed)
    sharpness(probed, iterations=3)
    probed.run(8)
    plain.run(15)
    assert np.array_equal(probed.net.store.theta, plain.net.store.theta)
    assert np.array_equal(probed.recorder.value[:probed.recorder.rows], plain.recorder.value[:plain.recorder.rows],
                          equal_nan=True)
    for mine, theirs in zip(probed.entries, plain.entries):
        if mine.layer.keeps_statistics:
            assert all(np.array_equal(mine.layer.running[k], theirs.layer.running[k]) for k in mine.layer.running)
