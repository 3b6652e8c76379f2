"""Refused non-finite steps: located, refused whole, state untouched, no warnings escaping."""
import warnings

import numpy as np
import pytest

from engine import Trainer
from engine.config import merge
from engine.divergence import describe_nonfinite

# The config: 20 relu layers of 8 units, N(0, 5²) weights, learning rate 10.
DIVERGING = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20,
                         "init": "normal", "init_gain": 5.0},
             "training": {"learning_rate": 10.0}}


def snapshot(trainer) -> dict:
    """Every piece of state a refused step must leave as it was, copied."""
    return {
        "theta": trainer.net.store.theta.copy(),
        "optimizer_state": {k: v.copy() for k, v in trainer.optimizer_state.items()},
        "optimizer_steps": trainer.optimizer_steps,
        "running": [{k: v.copy() for k, v in e.layer.buffers().items()} for e in trainer.entries],
        "steps": trainer.steps,
        "epoch": trainer.sampler.epoch,
        "position": trainer.sampler.position,
        "order": trainer.sampler.order.copy(),
        "dropout_rng": trainer.dropout_rng.bit_generator.state,
        "config": trainer.config,
        "events": list(trainer.events),
        "last_update": trainer.last_update.copy(),
    }


def assert_same_state(before: dict, after: dict) -> None:
    assert np.array_equal(before["theta"], after["theta"])
    assert before["optimizer_state"].keys() == after["optimizer_state"].keys()
    for slot, value in before["optimizer_state"].items():
        assert np.array_equal(value, after["optimizer_state"][slot]), slot
    assert len(before["running"]) == len(after["running"])
    for b, a in zip(before["running"], after["running"]):
        assert b.keys() == a.keys()
        assert all(np.array_equal(b[k], a[k]) for k in b)
    assert np.array_equal(before["order"], after["order"])
    assert np.array_equal(before["last_update"], after["last_update"])
    for key in ("optimizer_steps", "steps", "epoch", "position", "dropout_rng", "config", "events"):
        assert before[key] == after[key], key


def step_until_refused(trainer, limit=300):
    """Step with a snapshot before each step; return (snapshot before the refused step, its record)."""
    for _ in range(limit):
        before = snapshot(trainer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            record = trainer.step()
        if not record.applied:
            return before, record
    pytest.fail(f"no step was refused in {limit} steps")


def check_nonfinite(record, trainer):
    nf = record.nonfinite
    assert isinstance(nf, dict)
    assert nf["step"] == record.step == trainer.steps + 1
    assert nf["phase"] in ("forward", "loss", "backward", "update")
    assert isinstance(nf["quantity"], str) and nf["quantity"]
    if nf["phase"] in ("forward", "backward"):
        assert 0 <= nf["layer"] < len(trainer.layers)
        assert nf["layer_name"] == trainer.layers[nf["layer"]]["name"]


# --- the config --------------------------------------------------------------------

def test_diverging_config_is_refused_and_located():
    trainer = Trainer(DIVERGING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        record = trainer.run(50)
    assert record.applied is False
    check_nonfinite(record, trainer)
    assert record.nonfinite == {"step": 3, "phase": "forward", "layer": 1,
                                "layer_name": "dense2", "quantity": "z"}
    assert trainer.steps == 2 and trainer.nonfinite == record.nonfinite
    assert np.isfinite(trainer.net.store.theta).all()
    assert not np.isfinite(record.loss)


@pytest.mark.parametrize("extra", [
    {},
    {"network": {"dropout": 0.1}},
    {"training": {"optimizer": "momentum"}},
    {"training": {"optimizer": "nesterov"}},
    {"training": {"dtype": "float32"}},
], ids=["sgd", "dropout", "momentum", "nesterov", "float32"])
def test_refused_step_leaves_every_piece_of_state(extra):
    trainer = Trainer(merge(DIVERGING, extra))
    before, record = step_until_refused(trainer)
    check_nonfinite(record, trainer)
    assert_same_state(before, snapshot(trainer))
    assert np.isfinite(trainer.net.store.theta).all()
    # refusing again is stable: the same step, the same place, still nothing changed
    again = step_until_refused(trainer, limit=1)[1]
    assert again.step == record.step and again.nonfinite == record.nonfinite
    assert_same_state(before, snapshot(trainer))


def test_refused_step_in_phases_leaves_state_and_reports_on_update():
    trainer = Trainer(DIVERGING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        trainer.run(2)
        before = snapshot(trainer)
        phases = [trainer.phase() for _ in range(2 * len(trainer.layers) + 2)]
    assert phases[-1].phase == "update" and phases[-1].record.applied is False
    assert not trainer.mid_step
    assert_same_state(before, snapshot(trainer))


def test_clipping_makes_the_same_config_train():
    trainer = Trainer(merge(DIVERGING, {"training": {"clip": "norm", "clip_threshold": 1.0}}))
    records = [trainer.step() for _ in range(1000)]
    assert all(r.applied for r in records)
    assert all(r.nonfinite is None for r in records)
    assert trainer.steps == 1000 and trainer.nonfinite is None
    assert np.isfinite(trainer.net.store.theta).all()
    assert all(r.clip_norm_after <= 1.0 + 1e-9 for r in records)


# --- adam and batch norm (overflow injected after some steps) -------------------------------

def blow_up(trainer):
    """Make the next forward overflow at dense2's z (relu net, no batch norm before dense2)."""
    p = trainer.net.store.params
    p["dense1.W"][...] = 1e10
    p["dense2.W"][...] = 1e300


RELU = {"network": {"hidden": [{"units": 4, "activation": "relu"}, {"units": 4, "activation": "relu"}]}}


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "rmsprop", "momentum"])
def test_refusal_keeps_optimizer_state(optimizer):
    trainer = Trainer(merge(RELU, {"training": {"optimizer": optimizer, "weight_decay": 0.01}}))
    trainer.run(30)
    assert trainer.optimizer_steps == 30
    assert all(np.abs(v).sum() > 0 for v in trainer.optimizer_state.values())
    blow_up(trainer)
    before, record = step_until_refused(trainer, limit=1)
    assert record.nonfinite == {"step": 31, "phase": "forward", "layer": 1,
                                "layer_name": "dense2", "quantity": "z"}
    assert_same_state(before, snapshot(trainer))


def test_refusal_keeps_batch_norm_running_stats():
    trainer = Trainer(merge(RELU, {"network": {"batch_norm": True, "dropout": 0.2},
                                   "training": {"optimizer": "adam"}}))
    trainer.run(30)
    bn = [e for e in trainer.entries if e.kind == "batch_norm"]
    assert len(bn) == 2
    assert all(not np.array_equal(e.layer.running["mean"], np.zeros(4)) for e in bn)
    trainer.net.store.params["dense1.W"][...] = 1e308
    trainer.net.store.params["dense1.b"][...] = 1e308
    before, record = step_until_refused(trainer, limit=1)
    assert record.nonfinite == {"step": 31, "phase": "forward", "layer": 0,
                                "layer_name": "dense1", "quantity": "z"}
    assert_same_state(before, snapshot(trainer))


def test_locator_names_the_overflowing_layer():
    trainer = Trainer(RELU)
    trainer.run(3)
    blow_up(trainer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        record = trainer.step()
    assert record.applied is False
    assert record.nonfinite == {"step": 4, "phase": "forward", "layer": 1,
                                "layer_name": "dense2", "quantity": "z"}
    assert trainer.layers[1]["name"] == "dense2"


def test_update_overflow_is_located_and_a_lower_rate_continues():
    # Finite forward, loss and gradients; only lr · dW overflows dense1's new weights.
    trainer = Trainer({"training": {"learning_rate": 100.0}})
    trainer.net.store.params["dense3.W"][...] = 1e307
    before, record = step_until_refused(trainer, limit=1)
    assert np.isfinite(record.loss)
    assert record.nonfinite == {"step": 1, "phase": "update", "layer": 0,
                                "layer_name": "dense1", "quantity": "ΔW"}
    assert_same_state(before, snapshot(trainer))
    trainer.reconfigure({"training": {"learning_rate": 0.01}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        again = trainer.step()
    assert again.applied and again.step == 1 and trainer.steps == 1
    assert np.isfinite(trainer.net.store.theta).all()


@pytest.mark.parametrize("hidden, scale", [("tanh", 1e308), ("linear", 1e307)])
def test_a_non_finite_loss_is_located_at_the_loss(hidden, scale):
    # Every per-example loss is finite but their mean overflows: the first non-finite value
    # in phase order is the minibatch loss, so the locator must not name a later phase.
    trainer = Trainer({"network": {"hidden": [{"units": 4, "activation": hidden}] * 2},
                       "training": {"learning_rate": 100.0}})
    trainer.net.store.params["dense3.W"][...] = scale
    _, record = step_until_refused(trainer, limit=1)
    assert not np.isfinite(record.loss)
    assert record.nonfinite["phase"] in ("forward", "loss"), record.nonfinite


def test_batch_norm_running_stats_stay_finite():
    # z of 1e200 is finite, but its batch variance (1e400) is not: the step must be refused
    # (or the statistics computed stably); it must not leave running_var = inf behind.
    trainer = Trainer(merge(RELU, {"network": {"batch_norm": True}}))
    trainer.run(5)
    trainer.net.store.params["dense1.W"][...] = 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        record = trainer.step()
    for e in trainer.entries:
        for name, value in e.layer.buffers().items():
            assert np.isfinite(value).all(), (e.name, name, record.applied)


# --- warnings ------------------------------------------------------------------------------

@pytest.mark.parametrize("extra", [{}, {"training": {"dtype": "float32"}},
                                   {"network": {"dropout": 0.1}}],
                         ids=["float64", "float32", "dropout"])
def test_no_runtime_warning_escapes_a_diverging_run(extra):
    trainer = Trainer(merge(DIVERGING, extra))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = trainer.run(50)
    assert record.applied is False


def test_no_runtime_warning_escapes_diverging_phases():
    trainer = Trainer(DIVERGING)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3 * (2 * len(trainer.layers) + 2)):
            trainer.phase()


def test_no_runtime_warning_escapes_evaluate_after_divergence():
    # The server evaluates the full sets for every frame, diverged or not.
    trainer = Trainer(DIVERGING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        trainer.run(50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = trainer.evaluate()
    assert set(result) == {"train_loss", "train_accuracy", "test_loss", "test_accuracy"}


@pytest.mark.parametrize("phase, layer_name, quantity, said", [
    ("loss", None, "loss", "the loss"),
    ("forward", "dense3", "z", "dense3's z (forward pass)"),
    ("forward", "bn1", "var", "bn1's var (forward pass)"),
    ("backward", "dense1", "dW", "dense1's dW (backward pass)"),
    ("update", "dense2", "ΔW", "dense2's ΔW (update)"),
    ("update", None, "gradient norm", "the gradient norm (update)"),
])
def test_where_a_step_diverged_is_said_once(phase, layer_name, quantity, said):
    """Issue 13, point 13: not "loss loss" nor "in loss (loss)"."""
    where = {"step": 487, "phase": phase, "layer": None, "layer_name": layer_name, "quantity": quantity}
    assert describe_nonfinite(where) == said
