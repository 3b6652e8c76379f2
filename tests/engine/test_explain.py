"""engine.explain: any parameter's gradient term by term, and the penalty, clipping and update of
the step that computed it, from that step's own values."""
import numpy as np
import pytest

from engine import ExplainError, Trainer, catalog

BN = {"seed": 2, "dataset": {"name": "circle", "n_samples": 80},
      "network": {"hidden": [{"units": 4, "activation": "tanh"}] * 2, "batch_norm": True},
      "training": {"batch_size": 8, "optimizer": "momentum", "l1": 0.01, "l2": 0.02,
                   "clip": "value", "clip_threshold": 0.05}}


def flat_index(trainer, layer, key, index):
    name = trainer.entries[layer].param_names[key]
    return trainer.net.store.slices[name].start + int(np.ravel_multi_index(index, trainer.net.params[layer][key].shape))


@pytest.mark.parametrize("layer, key, index", [(0, "W", (1, 2)), (0, "b", (3,)), (1, "gamma", (2,)),
                                               (1, "beta", (0,)), (4, "W", (3, 0)), (4, "b", (0,))])
def test_terms_average_to_the_backpropagated_gradient(layer, key, index):
    trainer = Trainer(BN)
    trainer.run(6)
    out = trainer.explain(layer, index, example=3, param=key)
    k = flat_index(trainer, layer, key, index)
    assert (out["param"], out["index"], out["layer_name"]) == (key, list(index), trainer.entries[layer].name)
    assert out["complete"] and out["applied"] and out["batch_size"] == 8
    assert out["grad"] == trainer.last_step.grad[k] == trainer.net.store.grad[k]
    assert out["mean"] == pytest.approx(out["grad"], rel=1e-12, abs=1e-15)
    assert np.allclose(np.multiply(out["a"], out["delta"]), out["terms"], rtol=1e-15, atol=0)
    if key in ("b", "beta"):
        assert out["a"] == [1.0] * 8
    tape = trainer.net.tapes[layer]
    column = index[-1]
    assert out["delta"] == pytest.approx((8 * tape.dz[:, column]).tolist(), rel=1e-15)


def test_penalty_clipping_and_update_are_the_steps_own_values():
    trainer = Trainer(BN)
    trainer.run(6)
    values, hp = trainer.last_step, trainer.config.training
    k = flat_index(trainer, 0, "W", (1, 2))
    out = trainer.explain(0, (1, 2), param="W")
    assert out["penalty"] == {"l1": 0.01, "l2": 0.02, "w": values.theta_before[k], "penalized": values.penalized[k]}
    assert out["penalty"]["penalized"] == pytest.approx(
        values.grad[k] + 0.01 * np.sign(values.theta_before[k]) + 0.02 * values.theta_before[k], rel=1e-14)
    assert out["clip"]["used"] == values.used[k] == np.clip(values.penalized[k], -0.05, 0.05)
    update = out["update"]
    buffer = update["state"]["momentum_buffer"]
    assert buffer["after"] == pytest.approx(0.9 * buffer["before"] + update["g"], rel=1e-15)
    assert update["delta_w"] == pytest.approx(-hp.learning_rate * buffer["after"], rel=1e-15)
    assert update["w_before"] == values.theta_before[k] and update["w_after"] == trainer.net.store.theta[k]
    assert update["w_after"] == update["w_before"] + update["delta_w"]
    gamma = trainer.explain(1, (2,), param="gamma")  # batch norm's γ is never penalized
    assert gamma["penalty"]["l1"] == gamma["penalty"]["l2"] == 0.0
    kg = flat_index(trainer, 1, "gamma", (2,))
    assert gamma["penalty"]["penalized"] == values.grad[kg]


def test_after_a_refused_step_explain_shows_that_step_not_the_one_before():
    """The large-init preset's step 487 is refused. Explain must pair the refused step's gradient
    with the update that gradient proposed (never applied), not with step 486's update."""
    preset = next(p for p in catalog()["presets"] if p["id"] == "large-init")
    trainer = Trainer(preset["full_config"])
    record = trainer.run(1000)
    assert not record.applied and record.step == 487 and trainer.steps == 486
    out = trainer.explain(2, (0, 0), param="W")
    k = flat_index(trainer, 2, "W", (0, 0))
    assert out["applied"] is False and out["complete"]
    g = out["update"]["g"]
    assert g == out["grad"] == trainer.last_step.grad[k]  # no penalty, no clipping: g is the gradient
    assert g == pytest.approx(6.7233e153, rel=1e-4)  # finite, and huge: the loss overflowed
    assert out["update"]["delta_w"] == -0.35 * g  # what plain SGD proposed from that g
    assert out["update"]["w_after"] == out["update"]["w_before"] == trainer.net.store.theta[k]


def test_the_next_steps_backward_does_not_change_a_finished_explanation():
    """Once the next step's backward runs, the store's live gradient is that step's; the finished
    step's explanation (read after its update) must still pair its own g with its own Δw."""
    trainer = Trainer(BN | {"training": {"batch_size": 8}})
    trainer.run(4)
    k = flat_index(trainer, 4, "W", (1, 0))
    before = trainer.explain(4, (1, 0), param="W")
    while trainer.phase().phase != "backward" or trainer.mid_step and trainer.net.tapes[0].dz is None:
        pass
    during = trainer.explain(4, (1, 0), param="W")
    assert not during["complete"] and "update" not in during
    assert during["grad"] == trainer.net.store.grad[k] != before["grad"]
    assert during["mean"] == pytest.approx(during["grad"], rel=1e-12)
    while trainer.mid_step:
        trainer.phase()
    after = trainer.explain(4, (1, 0), param="W")
    assert after["update"]["g"] == after["grad"] == trainer.last_step.grad[k]
    assert after["update"]["delta_w"] == pytest.approx(-trainer.config.training.learning_rate * after["grad"], rel=1e-15)


@pytest.mark.parametrize("args, message", [
    ((9, (0, 0)), "there is no layer 9; the network has 3"),
    ((0, (0, 0), 0, "gamma"), "dense1 has no parameter 'gamma'; it has W, b"),
    ((0, (2, 0)), "dense1.W has shape (2, 4); no element at (2, 0)"),
    ((0, (0,)), "dense1.W has shape (2, 4); no element at (0)"),
    ((0, (0, 0), 10), "the batch has 10 examples; no example 10"),
])
def test_bad_requests_say_what_is_wrong(args, message):
    trainer = Trainer({})
    trainer.step()
    with pytest.raises(ExplainError) as caught:
        trainer.explain(*args)
    assert str(caught.value) == message


def test_before_any_backward_explain_says_so():
    with pytest.raises(ExplainError, match="dense1's backward has not run yet in this step"):
        Trainer({}).explain(0, (0, 0))
