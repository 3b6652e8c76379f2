"""Optimizer update rules against hand-computed torch.optim arithmetic, and gradient clipping."""
import math

import numpy as np
import pytest

from engine import Trainer
from engine.config import TrainingConfig
from engine.optimizers import OPTIMIZERS
from engine.regularization import CLIPS, CLIP_EPS, global_norm, penalize

THETA0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [0.25, 2.0]
EPS = 1e-8

# Each case: (optimizer, hyperparameters, update of step 1, update of step 2), written out by hand
# for θ0 = [1, −2], g1 = [0.5, −1], g2 = [0.25, 2]; step 2 starts from θ1 = θ0 + Δθ1.
HAND = [
    # sgd: Δθ = −lr·g
    ("sgd", dict(learning_rate=0.1), [-0.05, 0.1], [-0.025, -0.2]),
    # momentum 0.9: buf1 = g1; buf2 = 0.9·[0.5, −1] + [0.25, 2] = [0.7, 1.1]; Δθ = −lr·buf
    ("momentum", dict(learning_rate=0.1, momentum=0.9), [-0.05, 0.1], [-0.07, -0.11]),
    # nesterov: Δθ1 = −0.1·(g1 + 0.9·g1) = −0.19·g1; Δθ2 = −0.1·([0.25, 2] + 0.9·[0.7, 1.1]) = −0.1·[0.88, 2.99]
    ("nesterov", dict(learning_rate=0.1, momentum=0.9), [-0.095, 0.19], [-0.088, -0.299]),
    # rmsprop ρ = 0.75: s1 = 0.25·g1² = [0.0625, 0.25]; s2 = 0.75·s1 + 0.25·[0.0625, 4] = [0.0625, 1.1875]
    ("rmsprop", dict(learning_rate=0.1, rho=0.75, eps=EPS),
     [-0.1 * 0.5 / (0.25 + EPS), -0.1 * -1.0 / (0.5 + EPS)],
     [-0.1 * 0.25 / (0.25 + EPS), -0.1 * 2.0 / (math.sqrt(1.1875) + EPS)]),
    # adam β = (0.9, 0.999): m1 = [0.05, −0.1], v1 = [0.00025, 0.001], m̂1 = g1, v̂1 = g1²;
    # m2 = [0.07, 0.11], v2 = [0.00031225, 0.004999], bc1 = 0.19, bc2 = 0.001999
    ("adam", dict(learning_rate=0.1, beta1=0.9, beta2=0.999, eps=EPS),
     [-0.1 * 0.5 / (0.5 + EPS), -0.1 * -1.0 / (1.0 + EPS)],
     [-0.1 * (0.07 / 0.19) / (math.sqrt(0.00031225 / 0.001999) + EPS),
      -0.1 * (0.11 / 0.19) / (math.sqrt(0.004999 / 0.001999) + EPS)]),
    # adam ignores weight_decay (only adamw reads it)
    ("adam", dict(learning_rate=0.1, beta1=0.9, beta2=0.999, eps=EPS, weight_decay=0.5),
     [-0.1 * 0.5 / (0.5 + EPS), -0.1 * -1.0 / (1.0 + EPS)],
     [-0.1 * (0.07 / 0.19) / (math.sqrt(0.00031225 / 0.001999) + EPS),
      -0.1 * (0.11 / 0.19) / (math.sqrt(0.004999 / 0.001999) + EPS)]),
    # adamw wd = 0.5: the adam step plus −lr·wd·θ = −0.05·θ, with θ1 ≈ [1 − 0.1 − 0.05, −2 + 0.1 + 0.1]
    ("adamw", dict(learning_rate=0.1, beta1=0.9, beta2=0.999, eps=EPS, weight_decay=0.5),
     [-0.1 * 0.5 / (0.5 + EPS) - 0.05 * 1.0, -0.1 * -1.0 / (1.0 + EPS) - 0.05 * -2.0],
     [-0.1 * (0.07 / 0.19) / (math.sqrt(0.00031225 / 0.001999) + EPS)
      - 0.05 * (1.0 - 0.1 * 0.5 / (0.5 + EPS) - 0.05),
      -0.1 * (0.11 / 0.19) / (math.sqrt(0.004999 / 0.001999) + EPS)
      - 0.05 * (-2.0 + 0.1 / (1.0 + EPS) + 0.1)]),
]


@pytest.mark.parametrize("name, hp, step1, step2", HAND, ids=[c[0] + ("_wd" if "weight_decay" in c[1] else "")
                                                            for c in HAND])
def test_optimizer_two_steps_by_hand(name, hp, step1, step2):
    """propose() gives torch.optim's update for two steps, state carried, without touching its inputs."""
    optimizer, hp = OPTIMIZERS[name], TrainingConfig(optimizer=name, **hp)
    theta, g1, g2 = np.array(THETA0), np.array(G1), np.array(G2)
    state = {slot: np.zeros(2) for slot in optimizer.slots}
    update1, state1 = optimizer.propose(theta, g1, state, hp, 1)
    np.testing.assert_allclose(update1, step1, rtol=1e-12, atol=1e-15)
    assert all((v == 0).all() for v in state.values()) and (theta == THETA0).all() and (g1 == G1).all()
    assert set(state1) == set(optimizer.slots)
    theta1 = theta + update1
    if name == "adamw":
        np.testing.assert_allclose(theta1, [0.85, -1.8], rtol=1e-7)
    update2, _ = optimizer.propose(theta1, g2, {**state, **state1}, hp, 2)
    np.testing.assert_allclose(update2, step2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, slot, expected", [
    ("momentum", "momentum_buffer", [0.7, 1.1]),
    ("nesterov", "momentum_buffer", [0.7, 1.1]),
    ("rmsprop", "square_avg", [0.0625, 1.1875]),
    ("adam", "exp_avg", [0.07, 0.11]),
    ("adam", "exp_avg_sq", [0.00031225, 0.004999]),
    ("adamw", "exp_avg_sq", [0.00031225, 0.004999]),
])
def test_optimizer_state_after_two_steps(name, slot, expected):
    """The carried state holds the running buffers written out above."""
    hp = TrainingConfig(optimizer=name, learning_rate=0.1, momentum=0.9, rho=0.75, weight_decay=0.5)
    optimizer, theta = OPTIMIZERS[name], np.array(THETA0)
    state = {s: np.zeros(2) for s in optimizer.slots}
    for t, g in enumerate((G1, G2), start=1):
        update, new = optimizer.propose(theta, np.array(g), state, hp, t)
        theta, state = theta + update, {**state, **new}
    np.testing.assert_allclose(state[slot], expected, rtol=1e-12)


# --- through the Trainer ------------------------------------------------------------------------

def backprop(trainer):
    """Forward and backward on the next minibatch without stepping; returns a copy of store.grad."""
    net, batch = trainer.net, trainer.sampler.peek(trainer.config.training.batch_size)
    x, y = trainer.data.x_train[batch], trainer.targets[batch]
    for i in range(len(net.entries)):
        x = net.forward(i, x, trainer.dropout_rng)
    d = trainer.loss.backward(x, y)
    for i in reversed(range(len(net.entries))):
        d = net.backward(i, d)
    return net.store.grad.copy()


def test_trainer_step_applies_adam_update():
    """Trainer.step() moves the flat theta by exactly Adam's update of the (l2-penalized) gradient."""
    trainer = Trainer({"dataset": {"n_samples": 60}, "network": {"hidden": [{"units": 3}]},
                       "training": {"optimizer": "adam", "learning_rate": 0.05, "beta1": 0.8,
                                    "beta2": 0.99, "eps": 1e-6, "l2": 0.1, "batch_size": 8}})
    store, mask = trainer.net.store, trainer.net.weight_mask
    m, v = np.zeros(store.size), np.zeros(store.size)
    for t in (1, 2, 3):
        theta = store.theta.copy()
        g = backprop(trainer) + 0.1 * theta * mask
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        expected = theta - (0.05 / (1 - 0.8**t)) * m / (np.sqrt(v) / math.sqrt(1 - 0.99**t) + 1e-6)
        record = trainer.step()
        assert record.applied and trainer.steps == t
        np.testing.assert_allclose(store.theta, expected, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(trainer.optimizer_state["exp_avg_sq"], v, rtol=1e-13, atol=0)


# --- clipping -----------------------------------------------------------------------------------

def test_clip_norm_clips():
    """Norm 5 over threshold 1: every element scaled by 1/(5 + 1e-6), as clip_grad_norm_ does."""
    g = np.array([3.0, -4.0, 0.0])
    clipped = CLIPS["norm"].apply(g, global_norm(g), 1.0)
    np.testing.assert_allclose(clipped, [3.0 / (5.0 + 1e-6), -4.0 / (5.0 + 1e-6), 0.0], rtol=1e-15)
    assert np.linalg.norm(clipped) == pytest.approx(1.0 / (5.0 + CLIP_EPS) * 5.0, rel=1e-14)
    assert (g == [3.0, -4.0, 0.0]).all()


@pytest.mark.parametrize("g, threshold", [([0.3, -0.4], 1.0), ([3.0, -4.0], 6.0), ([0.0, 0.0], 1.0)])
def test_clip_norm_leaves_small_gradients_bitwise(g, threshold):
    """A norm at or below threshold − 1e-6 leaves the gradient bitwise unchanged."""
    g = np.array(g)
    clipped = CLIPS["norm"].apply(g, global_norm(g), threshold)
    assert clipped.tobytes() == g.tobytes()


@pytest.mark.parametrize("g, threshold, expected", [
    ([0.5, -3.0, 2.0, -0.1], 1.0, [0.5, -1.0, 1.0, -0.1]),
    ([1e300, -1e300, 0.25], 0.2, [0.2, -0.2, 0.2]),
])
def test_clip_value(g, threshold, expected):
    """clip value clamps each element to ±threshold."""
    g = np.array(g)
    with np.errstate(over="ignore"):
        norm = global_norm(g)
    assert CLIPS["value"].apply(g, norm, threshold).tolist() == expected


@pytest.mark.parametrize("g, dtype, expected", [
    ([3.0, 4.0], "float64", 5.0),
    ([1e200, 1e200], "float64", math.sqrt(2.0) * 1e200),
    ([3e300, -4e300, 0.0], "float64", 5e300),
    ([1e20, 1e20], "float32", math.sqrt(2.0) * 1e20),
    ([0.0, 0.0], "float64", 0.0),
])
def test_global_norm(g, dtype, expected):
    """global_norm is ‖g‖₂, finite and correct where the plain sum of squares overflows."""
    with np.errstate(over="ignore"):
        norm = global_norm(np.array(g, dtype=dtype))
    assert math.isfinite(norm)
    assert norm == pytest.approx(expected, rel=1e-6 if dtype == "float32" else 1e-14)


def test_trainer_records_clip_norms():
    """With clip norm at 1e-3, clip_norm_before is the penalized gradient's norm and after ≈ 1e-3."""
    trainer = Trainer({"dataset": {"n_samples": 60},
                       "training": {"clip": "norm", "clip_threshold": 1e-3, "l1": 0.01, "l2": 0.2,
                                    "batch_size": 8, "learning_rate": 0.5}})
    store, mask = trainer.net.store, trainer.net.weight_mask
    theta = store.theta.copy()
    penalized = penalize(backprop(trainer), theta, mask, 0.01, 0.2)
    norm = np.linalg.norm(penalized)
    record = trainer.step()
    assert record.clip_norm_before == pytest.approx(norm, rel=1e-13)
    assert record.clip_norm_after == pytest.approx(1e-3 * norm / (norm + 1e-6), rel=1e-12)
    assert record.clip_norm_after == pytest.approx(1e-3, rel=1e-5)
    np.testing.assert_allclose(store.theta, theta - 0.5 * penalized * (1e-3 / (norm + 1e-6)),
                               rtol=1e-13, atol=1e-16)
