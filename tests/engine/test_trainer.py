"""Tests for engine.trainer: determinism, epochs, reconfigure, evaluate, dtype, phase stepping."""
import numpy as np
import pytest

from engine import ConfigError, Trainer
from engine.activations import ACTIVATIONS
from engine.config import merge, validate_config
from engine.optimizers import OPTIMIZERS

RICH = {"network": {"hidden": [{"units": 6, "activation": "relu"}, {"units": 6, "activation": "tanh"}],
                    "dropout": 0.2, "batch_norm": True},
        "training": {"optimizer": "adam", "learning_rate": 0.01}}


def run(config, n):
    trainer = Trainer(config)
    for _ in range(n):
        assert trainer.step().applied
    return trainer


# --- determinism ---------------------------------------------------------------------------

@pytest.mark.parametrize("config", [{}, RICH], ids=["sgd", "dropout_bn_adam"])
def test_same_seed_is_bitwise_deterministic(config):
    a, b = run(config, 100), run(config, 100)
    assert np.array_equal(a.net.store.theta, b.net.store.theta)
    assert a.steps == b.steps == 100
    for slot in a.optimizer_state:
        assert np.array_equal(a.optimizer_state[slot], b.optimizer_state[slot])


@pytest.mark.parametrize("config", [{}, RICH], ids=["sgd", "dropout_bn_adam"])
def test_different_seed_differs(config):
    a, b = run(config, 100), run(merge(config, {"seed": 1}), 100)
    assert not np.array_equal(a.net.store.theta, b.net.store.theta)


def test_batch_size_does_not_change_the_data():
    a, b = Trainer({}), Trainer({"training": {"batch_size": 37}})
    assert np.array_equal(a.data.x_train, b.data.x_train)
    assert np.array_equal(a.data.y_train, b.data.y_train)
    assert np.array_equal(a.data.x_test, b.data.x_test)
    assert np.array_equal(a.net.store.theta, b.net.store.theta)  # init stream is separate too
    x, y = a.data.x_train.copy(), a.data.y_train.copy()
    a.run(5)
    assert a.reconfigure({"training": {"batch_size": 50}}).rebuilt is False
    assert np.array_equal(a.data.x_train, x) and np.array_equal(a.data.y_train, y)


# --- epochs --------------------------------------------------------------------------------

def epoch_batches(trainer):
    """Step through one epoch; return the batches used."""
    batches, start = [], trainer.epoch
    while trainer.epoch == start:
        record = trainer.step()
        assert record.applied
        batches.append(np.array(record.batch))
    return batches


def test_epoch_of_25_batches_uses_every_index_once():
    trainer = Trainer({})
    assert len(trainer.data.x_train) == 250
    for _ in range(24):
        trainer.step()
    assert trainer.epoch == 0
    record = trainer.step()
    assert trainer.epoch == 1 and record.epoch == 1 and trainer.steps == 25
    first = epoch_batches(Trainer({}))
    assert [len(b) for b in first] == [10] * 25
    assert np.array_equal(np.sort(np.concatenate(first)), np.arange(250))


def test_each_epoch_is_a_fresh_permutation():
    trainer = Trainer({})
    first, second = np.concatenate(epoch_batches(trainer)), np.concatenate(epoch_batches(trainer))
    assert np.array_equal(np.sort(second), np.arange(250))
    assert not np.array_equal(first, second)
    assert trainer.epoch == 2 and trainer.steps == 50


@pytest.mark.parametrize("batch_norm, batch, sizes, n_used", [
    (False, 60, [60, 60, 60, 60, 10], 250),
    (False, 83, [83, 83, 83, 1], 250),
    (True, 60, [60, 60, 60, 60, 10], 250),
    (True, 83, [83, 83, 83], 249),  # the final batch of one is dropped
])
def test_last_shorter_batch(batch_norm, batch, sizes, n_used):
    trainer = Trainer({"network": {"batch_norm": batch_norm}, "training": {"batch_size": batch}})
    batches = epoch_batches(trainer)
    assert [len(b) for b in batches] == sizes
    used = np.concatenate(batches)
    assert len(np.unique(used)) == n_used == len(used)
    assert trainer.sampler.position == 0 and trainer.epoch == 1


# --- reconfigure ---------------------------------------------------------------------------

def test_live_learning_rate_change_keeps_weights_and_records_an_event():
    trainer = run({}, 7)
    theta = trainer.net.store.theta.copy()
    result = trainer.reconfigure({"training": {"learning_rate": 0.1}})
    assert result.rebuilt is False and result.fields == []
    assert np.array_equal(trainer.net.store.theta, theta)
    assert trainer.steps == 7
    assert trainer.config.training.learning_rate == 0.1
    assert trainer.events == [{"step": 7, "config": {"training": {"learning_rate": 0.1}}}]
    record = trainer.step()
    assert record.applied and record.step == 8
    # the new rate is what the update used
    expected = theta - 0.1 * trainer.last_step.used
    assert np.array_equal(trainer.net.store.theta, expected)


@pytest.mark.parametrize("partial, field", [
    ({"network": {"hidden": [{"units": 5}, {"units": 2}]}}, "network.hidden"),
    ({"network": {"hidden": [{"units": 4, "activation": "relu"}, {"units": 2}]}}, "network.hidden"),
    ({"seed": 4}, "seed"),
    ({"training": {"loss": "mse"}}, "training.loss"),
    ({"training": {"dtype": "float32"}}, "training.dtype"),
    ({"dataset": {"features": ["x1", "x2", "x1x2"]}}, "dataset.features"),
    ({"network": {"init": "he_uniform"}}, "network.init"),
])
def test_rebuilding_changes_start_a_new_run(partial, field):
    trainer = run({}, 12)
    trainer.reconfigure({"training": {"learning_rate": 0.05}})
    result = trainer.reconfigure(partial)
    assert result.rebuilt is True and field in result.fields
    assert trainer.steps == 0 and trainer.epoch == 0 and trainer.events == []
    fresh = Trainer(merge(merge({}, {"training": {"learning_rate": 0.05}}), partial))
    assert trainer.config == fresh.config
    assert trainer.net.store.theta.dtype == fresh.net.store.theta.dtype
    assert np.array_equal(trainer.net.store.theta, fresh.net.store.theta)
    assert np.array_equal(trainer.data.x_train, fresh.data.x_train)


@pytest.mark.parametrize("partial, field", [
    ({"training": {"learning_rate": -1.0}}, "training.learning_rate"),
    ({"training": {"batch_size": 251}}, "training.batch_size"),
    ({"network": {"batch_norm": True}, "training": {"batch_size": 1}}, "training.batch_size"),
    ({"network": {"hidden": [{"units": 300}]}}, "network.hidden.0.units"),
    ({"nope": 1}, "nope"),
    ({"training": 3}, "training"),
])
def test_invalid_partial_changes_nothing(partial, field):
    trainer = run({}, 5)
    theta, config = trainer.net.store.theta.copy(), trainer.config
    with pytest.raises(ConfigError) as info:
        trainer.reconfigure(partial)
    assert info.value.field == field
    assert trainer.config is config and trainer.requested is config
    assert np.array_equal(trainer.net.store.theta, theta)
    assert trainer.steps == 5 and trainer.events == []


def test_non_dict_partial_raises_config_error():
    # A `configure` message whose config is not an object must get an error, not a crash.
    trainer = Trainer({})
    with pytest.raises(ConfigError):
        trainer.reconfigure(5)


# --- evaluate ------------------------------------------------------------------------------

def test_evaluate_classification_and_regression():
    result = Trainer({}).evaluate()
    assert set(result) == {"train_loss", "train_accuracy", "test_loss", "test_accuracy"}
    assert 0.0 <= result["train_accuracy"] <= 1.0 and result["train_loss"] > 0
    regression = Trainer({"dataset": {"name": "plane"}, "training": {"loss": "mse"}}).evaluate()
    assert regression["train_accuracy"] is None and regression["test_accuracy"] is None
    assert regression["train_loss"] > 0 and regression["test_loss"] > 0


def test_trained_default_net_learns_gauss():
    trainer = Trainer({"dataset": {"name": "gauss"}})
    before = trainer.evaluate()
    record = trainer.run(2000)
    assert record.applied and trainer.steps == 2000
    after = trainer.evaluate()
    assert after["test_accuracy"] > 0.9
    assert after["train_loss"] < before["train_loss"]


# --- float32 -------------------------------------------------------------------------------

def assert_float32(trainer):
    f32 = np.dtype(np.float32)
    assert trainer.net.store.theta.dtype == f32 and trainer.net.store.grad.dtype == f32
    assert all(v.dtype == f32 for v in trainer.net.store.params.values())
    assert trainer.last_update.dtype == f32, "the update was computed in float64"
    assert trainer.last_step.used.dtype == f32
    assert all(s.dtype == f32 for s in trainer.optimizer_state.values())
    for e in trainer.entries:
        assert all(v.dtype == f32 for v in e.layer.buffers().values())
    assert trainer.data.x_train.dtype == f32


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_float32_stays_float32_for_every_activation(activation):
    trainer = run({"network": {"hidden": [{"units": 5, "activation": activation}] * 2,
                               "batch_norm": True, "dropout": 0.1},
                   "training": {"dtype": "float32", "l1": 0.001, "l2": 0.001}}, 20)
    assert_float32(trainer)
    cycle = [trainer.phase() for _ in range(2 * len(trainer.layers) + 2)]
    for record in cycle:
        for name, tensor in record.tensors.items():
            if isinstance(tensor, np.ndarray) and tensor.dtype.kind == "f":
                assert tensor.dtype == np.float32, (record.phase, record.layer, name)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("clip", ["none", "norm", "value"])
def test_float32_stays_float32_for_every_optimizer(optimizer, clip):
    trainer = run({"dataset": {"name": "blobs", "n_classes": 3},
                   "training": {"dtype": "float32", "optimizer": optimizer, "clip": clip,
                                "loss": "cross_entropy", "weight_decay": 0.01}}, 20)
    assert_float32(trainer)


# --- phase stepping ------------------------------------------------------------------------

def expected_phases(n):
    return ([("forward", i) for i in range(n)] + [("loss", None)]
            + [("backward", i) for i in reversed(range(n))] + [("update", None)])


@pytest.mark.parametrize("config", [{}, RICH], ids=["plain", "dropout_bn_adam"])
def test_phases_in_order_and_bitwise_equal_to_steps(config):
    phased, stepped = Trainer(config), Trainer(config)
    n = len(phased.layers)
    kinds = [layer["kind"] for layer in phased.layers]
    assert kinds == (["dense", "batch_norm"] * 2 + ["dense"] if config else ["dense"] * 3)
    for step in range(1, 4):
        records = [phased.phase() for _ in range(2 * n + 2)]
        assert [(r.phase, r.layer) for r in records] == expected_phases(n)
        assert all(r.step == step for r in records)
        assert not phased.mid_step and phased.steps == step
        assert records[-1].record is not None and records[-1].record.applied
        reference = stepped.step()
        assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)
        assert np.array_equal(records[-1].record.batch, reference.batch)
        assert records[-1].record.loss == reference.loss
    assert phased.dropout_rng.bit_generator.state == stepped.dropout_rng.bit_generator.state


def test_phase_tensors():
    trainer = Trainer({})
    forward = trainer.phase()
    assert set(forward.tensors) == {"x", "z", "a"} and forward.tensors["z"].shape == (10, 4)
    trainer.phase(), trainer.phase()
    loss = trainer.phase()
    assert set(loss.tensors) == {"output", "losses", "dout"} and loss.tensors["losses"].shape == (10,)
    backward = trainer.phase()
    assert backward.layer == 2 and {"dz", "dW", "db"} <= set(backward.tensors)
    assert backward.tensors["dW"].shape == (2, 1)


def test_step_mid_cycle_finishes_the_step_in_progress():
    phased, stepped = Trainer(RICH), Trainer(RICH)
    for _ in range(3):
        phased.phase()
    assert phased.mid_step and phased.steps == 0
    record = phased.step()
    assert record.step == 1 and phased.steps == 1 and not phased.mid_step
    stepped.step()
    assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)
    phased.step(), stepped.step()
    assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)
    assert phased.phase().step == 3


def test_run_mid_cycle_counts_the_step_in_progress():
    trainer = Trainer({})
    trainer.phase()
    trainer.run(3)
    assert trainer.steps == 3 and not trainer.mid_step


def test_live_reconfigure_mid_cycle_applies_after_the_update():
    phased, stepped = Trainer({}), Trainer({})
    for _ in range(4):
        phased.phase()
    result = phased.reconfigure({"training": {"learning_rate": 0.5}})
    assert result.rebuilt is False
    assert phased.config.training.learning_rate == 0.03 and phased.events == []
    while phased.mid_step:
        phased.phase()
    stepped.step()
    assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)  # used 0.03
    assert phased.config.training.learning_rate == 0.5
    assert phased.events == [{"step": 1, "config": {"training": {"learning_rate": 0.5}}}]
    stepped.reconfigure({"training": {"learning_rate": 0.5}})
    phased.step(), stepped.step()
    assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)
    assert phased.events == stepped.events


def test_rebuild_mid_cycle_abandons_the_step():
    trainer = Trainer({})
    trainer.phase(), trainer.phase()
    assert trainer.reconfigure({"seed": 2}).rebuilt is True
    assert not trainer.mid_step and trainer.steps == 0
    first = trainer.phase()
    assert (first.phase, first.layer, first.step) == ("forward", 0, 1)
    assert np.array_equal(trainer.net.store.theta, Trainer({"seed": 2}).net.store.theta)


def test_config_round_trips_through_validation():
    trainer = Trainer(RICH)
    assert validate_config(trainer.config.model_dump()) == trainer.config
