"""Recurrent layers (issue 14): backpropagation through time against centred finite differences in
float64, many-to-one and many-to-many, stacked and with dense layers after; phase by phase equal
to the plain step bitwise; how they start."""
import numpy as np
import pytest

from engine import Trainer
from gradcheck import batch_loss, check_backprop

pytestmark = pytest.mark.filterwarnings("error")

TOLERANCE = 1e-6  # per-tensor relative error, as the issue asks


def trainer_for(dataset: dict, hidden: list, network=None, training=None) -> Trainer:
    config = {"seed": 3, "dataset": {"n_samples": 40, **dataset},
              "network": {"hidden": hidden, **(network or {})},
              "training": {"batch_size": 6, "dtype": "float64", **(training or {})}}
    return Trainer(config)


def rnn(units, activation="tanh"):
    return {"kind": "rnn", "units": units, "activation": activation}


def lstm(units):
    return {"kind": "lstm", "units": units}


CASES = [  # (id, dataset, hidden, network, training)
    ("rnn_tanh_many_to_one", {"name": "remember_first", "seq_len": 6}, [rnn(5)], {}, {"loss": "bce"}),
    ("rnn_relu_irnn_adding", {"name": "adding", "seq_len": 6}, [rnn(5, "relu")],
     {"recurrent_init": "identity", "bias_init": 0.1}, {"loss": "mse"}),
    ("lstm_many_to_one", {"name": "remember_first", "seq_len": 5}, [lstm(4)], {}, {"loss": "bce"}),
    ("lstm_stacked_dense_after", {"name": "adding", "seq_len": 5}, [lstm(3), lstm(4), {"units": 3}],
     {"forget_bias": 0.5}, {"loss": "mse"}),
    ("rnn_lstm_dense_many_to_many", {"name": "sine", "seq_len": 5, "noise": 10},
     [rnn(4), lstm(3), {"units": 3, "activation": "sigmoid"}], {}, {"loss": "mse"}),
    ("rnn_stacked_cross_entropy", {"name": "remember_first", "seq_len": 4}, [rnn(3), rnn(4)], {},
     {"loss": "cross_entropy"}),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_backpropagation_through_time_matches_finite_differences(case):
    _, dataset, hidden, network, training = case
    grads = check_backprop(trainer_for(dataset, hidden, network, training), TOLERANCE)
    first = "rnn1" if hidden[0]["kind"] == "rnn" else "lstm1"
    assert np.abs(grads[f"{first}.W_h"]).max() > 0  # the gradient did flow back through time


def test_many_to_one_reads_the_last_state_and_many_to_many_every_state():
    one = trainer_for({"name": "adding", "seq_len": 7}, [rnn(3), lstm(4), {"units": 2}], training={"loss": "mse"})
    assert [(layer["name"], layer.get("in_shape"), layer.get("out_shape")) for layer in one.layers[:2]] == [
        ("rnn1", [7, 2], [7, 3]), ("lstm2", [7, 3], [4])]  # only the last recurrent layer ends the sequence
    many = trainer_for({"name": "sine", "seq_len": 7}, [rnn(3)], training={"loss": "mse"})
    assert many.layers[0]["out_shape"] == [7, 3]
    batch = many.sampler.peek(6)
    _, out = batch_loss(many, many.data.x_train[batch], many.targets[batch])
    assert out.shape == (6, 7, 1)


def test_phase_by_phase_equals_the_plain_step_bitwise():
    config = {"seed": 5, "dataset": {"name": "sine", "seq_len": 6},
              "network": {"hidden": [rnn(4), lstm(3), {"units": 2}]},
              "training": {"loss": "mse", "optimizer": "adam", "batch_size": 8}}
    stepped, phased = Trainer(config), Trainer(config)
    for _ in range(3):
        stepped.step()
    forward_ts = []
    while phased.steps < 3:
        record = phased.phase()
        if record.phase == "forward" and record.layer == 0:
            forward_ts.append(record.t)
    assert np.array_equal(stepped.net.store.theta, phased.net.store.theta)
    assert np.array_equal(stepped.net.store.grad, phased.net.store.grad)
    assert forward_ts[:7] == [1, 2, 3, 4, 5, 6, 1]  # one phase a time step, then the next step's


def test_lstm_starts_its_forget_gate_at_forget_bias_and_w_h_orthogonal_per_gate():
    trainer = trainer_for({"name": "remember_first"}, [lstm(4)], {"forget_bias": 2.0, "bias_init": 0.25})
    params = trainer.net.params[0]
    assert params["W_x"].shape == (1, 16) and params["W_h"].shape == (4, 16) and params["b"].shape == (16,)
    assert np.array_equal(params["b"], np.r_[np.full(4, 0.25), np.full(4, 2.0), np.full(8, 0.25)])
    for g in range(4):
        block = params["W_h"][:, 4 * g:4 * g + 4]
        assert np.allclose(block.T @ block, np.eye(4), atol=1e-12)


def test_identity_recurrent_init_is_the_gain_times_i():
    trainer = trainer_for({"name": "adding"}, [rnn(5, "relu")], {"recurrent_init": "identity", "init_gain": 0.5},
                          {"loss": "mse"})
    assert np.array_equal(trainer.net.params[0]["W_h"], 0.5 * np.eye(5))


def test_a_sequence_net_learns_remember_first():
    trainer = trainer_for({"name": "remember_first", "seq_len": 5, "n_samples": 200}, [lstm(8)],
                          training={"optimizer": "adam", "learning_rate": 0.02, "batch_size": 20})
    before = trainer.evaluate()
    trainer.run(300)
    after = trainer.evaluate()
    assert after["train_loss"] < before["train_loss"] / 10 and after["test_accuracy"] > 0.95
