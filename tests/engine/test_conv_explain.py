"""explain on a kernel weight (issue 15, point 5): its gradient as the sum over batch and positions
of δ[o, i, j]·x[c, i·s + u − p, j·s + v − p], the chosen example's terms as a map, then penalties,
clipping and the update of the step, as for a dense weight."""
import numpy as np
import pytest

from engine import Trainer

CONV = {"seed": 4, "dataset": {"name": "tees", "n_samples": 120},
        "network": {"hidden": [{"kind": "conv2d", "channels": 3, "kernel": 3, "stride": 2, "padding": 1,
                                "activation": "tanh"},
                               {"kind": "max_pool", "size": 2},
                               {"kind": "conv2d", "channels": 2, "kernel": 2, "activation": "relu"}]},
        "training": {"batch_size": 8, "loss": "cross_entropy", "optimizer": "momentum", "l1": 0.01, "l2": 0.02,
                     "clip": "value", "clip_threshold": 0.05}}


def flat_index(trainer, layer, key, index):
    name = trainer.entries[layer].param_names[key]
    return trainer.net.store.slices[name].start + int(np.ravel_multi_index(index, trainer.net.params[layer][key].shape))


def by_definition(x, dz, o, c, u, v, stride, padding):
    """Each position's x[b, c, i·s + u − p, j·s + v − p] (0 in the padding) and B·dz[b, o, i, j]:
    (B, H_out, W_out) each."""
    batch, _, rows, cols = dz.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    a = np.zeros((batch, rows, cols))
    for i in range(rows):
        for j in range(cols):
            a[:, i, j] = padded[:, c, i * stride + u, j * stride + v]
    return a, batch * dz[:, o].astype(np.float64)


@pytest.mark.parametrize("layer, index, stride, padding", [(0, (1, 0, 0, 2), 2, 1), (0, (2, 0, 2, 2), 2, 1),
                                                            (2, (1, 2, 1, 0), 1, 0)])
def test_the_position_terms_sum_to_the_engines_dk_entry(layer, index, stride, padding):
    trainer = Trainer(CONV)
    trainer.run(4)
    out = trainer.explain(layer, index, example=5, param="K")
    tape = trainer.net.tapes[layer]
    a, delta = by_definition(tape.x, tape.dz, *index, stride, padding)
    positions = out["positions"]
    assert np.array_equal(positions["a"], a[5]) and np.allclose(positions["delta"], delta[5], rtol=1e-15, atol=0)
    assert np.allclose(positions["terms"], a[5] * delta[5], rtol=1e-15, atol=0)
    _, _, u, v = index
    assert positions["in_rows"] == [i * stride + u - padding for i in range(a.shape[1])]
    assert positions["in_cols"] == [j * stride + v - padding for j in range(a.shape[2])]
    assert positions["sum"] == pytest.approx(out["terms"][5], rel=1e-12)
    assert np.allclose(out["terms"], (a * delta).sum(axis=(1, 2)), rtol=1e-12, atol=0)
    grad = trainer.last_step.grad[flat_index(trainer, layer, "K", index)]
    total = (a * delta).sum() / 8  # every example's map, summed over positions and the batch
    assert out["grad"] == grad and grad != 0
    assert abs(total - grad) <= 1e-9 * abs(grad) and abs(out["mean"] - grad) <= 1e-9 * abs(grad)
    assert out["a"] is None and out["delta"] is None


def test_a_conv_bias_sums_delta_over_positions():
    trainer = Trainer(CONV)
    trainer.run(3)
    out = trainer.explain(0, (2,), example=1, param="b")
    dz = trainer.net.tapes[0].dz
    assert out["positions"]["a"] == np.ones(dz.shape[2:]).tolist()
    assert out["positions"]["in_rows"] is None
    assert out["mean"] == pytest.approx(dz[:, 2].sum(), rel=1e-12)
    assert out["grad"] == pytest.approx(dz[:, 2].sum(), rel=1e-12)


def test_penalty_clipping_and_update_of_a_kernel_weight_are_the_steps_own_values():
    trainer = Trainer(CONV)
    trainer.run(4)
    values, hp = trainer.last_step, trainer.config.training
    k = flat_index(trainer, 0, "K", (1, 0, 2, 2))
    out = trainer.explain(0, (1, 0, 2, 2))
    assert out["param"] == "K" and out["index"] == [1, 0, 2, 2] and "row" not in out
    assert out["penalty"] == {"l1": 0.01, "l2": 0.02, "w": values.theta_before[k], "penalized": values.penalized[k]}
    assert out["penalty"]["penalized"] == pytest.approx(
        values.grad[k] + 0.01 * np.sign(values.theta_before[k]) + 0.02 * values.theta_before[k], rel=1e-14)
    assert out["clip"]["used"] == values.used[k] == np.clip(values.penalized[k], -0.05, 0.05)
    update = out["update"]
    buffer = update["state"]["momentum_buffer"]
    assert buffer["after"] == pytest.approx(0.9 * buffer["before"] + update["g"], rel=1e-15)
    assert update["delta_w"] == pytest.approx(-hp.learning_rate * buffer["after"], rel=1e-15)
    assert update["w_after"] == update["w_before"] + update["delta_w"] == trainer.net.store.theta[k]


def test_mid_step_a_kernel_is_explained_once_its_backward_has_run():
    trainer = Trainer(CONV)
    trainer.run(1)
    phases = [trainer.phase() for _ in range(4)]  # forward of the 4 entries (conv, pool, conv, dense)
    assert [p.layer for p in phases] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="backward has not run"):
        trainer.explain(0, (0, 0, 0, 0))
    while trainer.phase().layer != 0:
        pass
    out = trainer.explain(0, (0, 0, 1, 1))
    assert not out["complete"] and "update" not in out
    grad = trainer.net.store.grad[flat_index(trainer, 0, "K", (0, 0, 1, 1))]
    assert abs(np.sum(out["terms"]) / 8 - grad) <= 1e-9 * abs(grad)


def test_a_pool_has_nothing_to_explain():
    trainer = Trainer(CONV)
    trainer.run(1)
    with pytest.raises(ValueError, match="max_pool2 has no parameter"):
        trainer.explain(1, (0,))
