"""Centred finite-difference checks of every analytic gradient in the engine, in float64."""
import numpy as np
import pytest

from engine import Trainer
from engine.activations import ACTIVATIONS
from engine.layers.batch_norm import batch_norm_backward, batch_norm_train
from engine.layers.dense import dense_backward, dense_forward
from engine.losses import LOSSES
from engine.regularization import penalize
from gradcheck import assert_close_grad, numeric_grad


def rng(seed=0):
    return np.random.default_rng(seed)


# --- activations: the kernel alone -------------------------------------------------------------

@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("scale", [0.5, 3.0, 12.0])
def test_activation_gradient(name, scale):
    """backward(z, a, da) equals d/dz Σ da·forward(z), with z kept 1e-3 away from the kinks at 0."""
    r = rng(1)
    z = r.choice([-1.0, 1.0], size=(5, 4)) * r.uniform(1e-3, 1.0, size=(5, 4)) * scale
    z[np.abs(z) < 1e-3] = 1e-3
    da = r.normal(size=z.shape)
    act = ACTIVATIONS[name]
    analytic = act.backward(z, act.forward(z), da)
    numeric = numeric_grad(lambda: float(np.sum(act.forward(z) * da)), z, h=1e-6)
    assert_close_grad(analytic, numeric, name)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_finite_at_extremes(name):
    """forward and backward stay finite, without overflow, at z = ±1000 and ±1e6."""
    z = np.array([-1e6, -1000.0, -50.0, 50.0, 1000.0, 1e6])
    act = ACTIVATIONS[name]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = act.forward(z)
        dz = act.backward(z, a, np.ones_like(z))
    assert np.isfinite(a).all() and np.isfinite(dz).all()


# --- losses: gradient wrt the output layer ------------------------------------------------------

LOSS_CASES = [  # (loss, output (B, K), targets (B,))
    ("mse", [[0.3], [-1.2], [2.0], [0.7]], [0.0, 1.0, 1.0, -0.5]),
    ("mse", [[50.0], [-50.0], [500.0], [-500.0]], [0.0, 1.0, 1.0, 0.0]),
    ("bce", [[0.3], [-1.2], [2.0], [0.7]], [0, 1, 1, 0]),
    ("bce", [[50.0], [-50.0], [500.0], [-500.0], [50.0], [-500.0]], [0, 1, 0, 1, 1, 0]),
    ("cross_entropy", [[0.3, -1.2, 2.0], [0.7, 0.1, -0.4], [1.5, 1.4, -2.2]], [0, 1, 2]),
    ("cross_entropy", [[50.0, -50.0, 0.0], [500.0, -500.0, 0.0], [-500.0, 500.0, 499.0]], [1, 1, 2]),
    ("cross_entropy", [[500.0, -500.0, 0.0, 10.0], [-50.0, 50.0, 50.0, -50.0]], [0, 2]),
]


@pytest.mark.parametrize("name, out, y", LOSS_CASES)
def test_loss_gradient(name, out, y):
    """backward(out, y) is the gradient of the minibatch mean of per_example(out, y), at any logit."""
    loss = LOSSES[name]
    out = np.array(out, dtype=np.float64)
    y = np.array(y, dtype=np.int64 if loss.int_targets else np.float64)
    value = float(loss.per_example(out, y).mean())
    assert np.isfinite(value)
    analytic = loss.backward(out, y)
    assert analytic.shape == out.shape and np.isfinite(analytic).all()
    numeric = numeric_grad(lambda: float(loss.per_example(out, y).mean()), out, h=1e-5)
    assert_close_grad(analytic, numeric, name)


@pytest.mark.parametrize("name, out, y, expected", [
    ("bce", [[-500.0], [500.0], [500.0], [0.0]], [1, 0, 1, 1], [500.0, 500.0, np.exp(-500.0), np.log(2.0)]),
    ("cross_entropy", [[500.0, -500.0, 0.0], [-500.0, 500.0, 500.0]], [1, 1], [1000.0, np.log(2.0)]),
    ("mse", [[500.0], [-2.0]], [0.0, 1.0], [250000.0, 9.0]),
])
def test_loss_values_at_large_logits(name, out, y, expected):
    """Per-example losses keep their exact values where a naive exp would overflow."""
    loss = LOSSES[name]
    y = np.array(y, dtype=np.int64 if loss.int_targets else np.float64)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = loss.per_example(np.array(out), y)
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=0.0)


# --- layer kernels ------------------------------------------------------------------------------

@pytest.mark.parametrize("batch, fan_in, fan_out", [(5, 3, 4), (1, 2, 1), (7, 6, 6)])
def test_dense_kernel(batch, fan_in, fan_out):
    """dense_backward's dx, dW, db are the gradients of Σ G·(x @ W + b)."""
    r = rng(2)
    x, W, b = r.normal(size=(batch, fan_in)), r.normal(size=(fan_in, fan_out)), r.normal(size=fan_out)
    G = r.normal(size=(batch, fan_out))
    dW, db = np.zeros_like(W), np.zeros_like(b)
    dx = dense_backward(G, x, W, dW, db)
    f = lambda: float(np.sum(dense_forward(x, W, b) * G))  # noqa: E731
    for name, analytic, tensor in (("dx", dx, x), ("dW", dW, W), ("db", db, b)):
        assert_close_grad(analytic, numeric_grad(f, tensor), name)


@pytest.mark.parametrize("batch, units, spread", [(6, 4, 1.0), (3, 3, 1.0), (2, 3, 0.01), (10, 5, 0.01), (8, 2, 30.0)])
def test_batch_norm_kernel(batch, units, spread):
    """batch_norm_backward's dz, dgamma, dbeta are the gradients of Σ G·BN_train(z)."""
    r = rng(3)
    z = r.normal(0.5, spread, size=(batch, units))
    gamma, beta = r.uniform(0.5, 2.0, size=units), r.normal(size=units)
    G = r.normal(size=(batch, units))
    _, x_hat, inv_std, _, _ = batch_norm_train(z, gamma, beta)
    dgamma, dbeta = np.zeros_like(gamma), np.zeros_like(beta)
    dz = batch_norm_backward(G, x_hat, inv_std, gamma, dgamma, dbeta)
    f = lambda: float(np.sum(batch_norm_train(z, gamma, beta)[0] * G))  # noqa: E731
    h = 1e-6 * spread
    for name, analytic, tensor in (("dz", dz, z), ("dgamma", dgamma, gamma), ("dbeta", dbeta, beta)):
        assert_close_grad(analytic, numeric_grad(f, tensor, h=h if name == "dz" else 1e-6), name)


# --- whole networks through the Trainer ---------------------------------------------------------

def trainer_for(network=None, training=None, dataset=None):
    """A float64 Trainer on a small set; sections deep-override the defaults."""
    config = {"seed": 3,
              "dataset": {"name": "spiral", "n_samples": 60, **(dataset or {})},
              "network": {"init": "xavier_uniform", **(network or {})},
              "training": {"batch_size": 8, "dtype": "float64", **(training or {})}}
    return Trainer(config)


def minibatch(trainer):
    """The trainer's next minibatch (x, y) and the dropout stream's state, so masks repeat."""
    batch = trainer.sampler.peek(trainer.config.training.batch_size)
    return trainer.data.x_train[batch], trainer.targets[batch], trainer.dropout_rng.bit_generator.state


def forward_loss(trainer, x, y, rng_state):
    """Minibatch mean data loss, train mode, with the dropout masks drawn from rng_state."""
    net = trainer.net
    trainer.dropout_rng.bit_generator.state = rng_state
    h = x
    for i in range(len(net.entries)):
        h = net.forward(i, h, trainer.dropout_rng)
    return float(trainer.loss.per_example(h, y).mean()), h


def backprop(trainer, x, y, rng_state):
    """Forward, loss backward and every entry's backward; returns a copy of store.grad."""
    net = trainer.net
    _, out = forward_loss(trainer, x, y, rng_state)
    d = trainer.loss.backward(out, y)
    for i in reversed(range(len(net.entries))):
        d = net.backward(i, d)
    return net.store.grad.copy()


def check_network(trainer, h=1e-6):
    """store.grad after backward equals centred differences of the minibatch loss wrt store.theta."""
    x, y, state = minibatch(trainer)
    analytic = backprop(trainer, x, y, state)
    numeric = numeric_grad(lambda: forward_loss(trainer, x, y, state)[0], trainer.net.store.theta, h)
    compare_tensors(trainer, analytic, numeric)
    return analytic


def compare_tensors(trainer, analytic, numeric):
    """Per-tensor relative error; a dense bias feeding batch norm has gradient 0, checked absolutely."""
    entries = trainer.net.entries
    zero = {e.param_names["b"] for e, after in zip(entries, entries[1:]) if after.kind == "batch_norm"}
    for name, sl in trainer.net.store.slices.items():
        if name in zero:
            assert np.abs(analytic[sl]).max() < 1e-12 and np.abs(numeric[sl]).max() < 1e-9, name
        else:
            assert_close_grad(analytic[sl], numeric[sl], name)
    assert_close_grad(analytic, numeric, "theta")


def hidden(*units, activation="tanh"):
    return [{"units": u, "activation": activation} for u in units]


NETWORK_CASES = [  # (id, network, training, dataset)
    ("tanh", {"hidden": hidden(4, 3)}, {"loss": "bce"}, {}),
    ("batch_norm", {"hidden": hidden(5, 4), "batch_norm": True}, {"loss": "bce"}, {}),
    ("batch_norm_residual_relu", {"hidden": hidden(4, 4, 4, activation="relu"), "batch_norm": True,
                                  "residual": True}, {"loss": "bce"}, {}),
    ("residual", {"hidden": hidden(4, 4, 4), "residual": True}, {"loss": "bce"}, {}),
    ("spiral3_cross_entropy", {"hidden": hidden(6, 5)}, {"loss": "cross_entropy"}, {"n_classes": 3}),
    ("plane_mse", {"hidden": hidden(5, 3)}, {"loss": "mse"}, {"name": "plane"}),
    ("features_standardized", {"hidden": hidden(3)}, {"loss": "bce"},
     {"features": ["x1", "x2", "x1x2", "sin_x1"], "standardize": True}),
]


@pytest.mark.parametrize("case", NETWORK_CASES, ids=[c[0] for c in NETWORK_CASES])
def test_network_gradient(case):
    """The flat gradient backward fills matches finite differences of the minibatch loss."""
    _, network, training, dataset = case
    trainer = trainer_for(network, training, dataset)
    if network.get("residual"):
        assert len(trainer.net.residual_end) == len(network["hidden"]) - 1
    check_network(trainer)


def test_network_gradient_dropout_fixed_mask():
    """With the dropout stream reset before every forward, the mask is fixed and the gradient exact."""
    trainer = trainer_for({"hidden": hidden(6, 6), "dropout": 0.4, "residual": True}, {"loss": "bce"})
    check_network(trainer)
    masks = [t.mask for t in trainer.net.tapes if t.mask is not None]
    assert len(masks) == 2 and all((m == 0).any() and (m == 1 / 0.6).any() for m in masks)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_network_gradient_each_activation(name):
    """Every activation inside a small net (hidden 5, 4) on spiral with bce; biases 0.1 keep z off 0."""
    trainer = trainer_for({"hidden": hidden(5, 4, activation=name), "bias_init": 0.1}, {"loss": "bce"})
    check_network(trainer)
    z = np.concatenate([t.z.ravel() for t in trainer.net.tapes[:-1]])
    assert np.abs(z).min() > 1e-5  # no kink of relu, leaky_relu or elu within the differences' reach


def test_network_gradient_twelve_layers():
    """A 12-layer tanh net (6 units each, xavier): the deep gradient still matches, and is not tiny."""
    trainer = trainer_for({"hidden": hidden(*[6] * 12)}, {"loss": "bce"}, {"standardize": True})
    grad = check_network(trainer)
    assert np.linalg.norm(trainer.net.store.grads["dense1.W"]) > 1e-6
    assert len(trainer.net.entries) == 13 and grad.size == trainer.net.store.size


# --- penalties ----------------------------------------------------------------------------------

PENALTY_CASES = [  # (l1, l2, batch_norm)
    (0.0, 0.3, False),
    (0.05, 0.0, False),
    (0.05, 0.3, False),
    (0.05, 0.3, True),
]


@pytest.mark.parametrize("l1, l2, batch_norm", PENALTY_CASES)
def test_penalized_gradient(l1, l2, batch_norm):
    """penalize(...) is the gradient of data loss + l1·Σ|W| + (l2/2)·ΣW² over dense W only."""
    trainer = trainer_for({"hidden": hidden(4, 3), "batch_norm": batch_norm, "bias_init": 0.5},
                          {"loss": "bce", "l1": l1, "l2": l2})
    net, store = trainer.net, trainer.net.store
    store.theta += 0.1 * np.sign(store.theta) * net.weight_mask  # |W| > 0.1: away from l1's kink
    if batch_norm:
        store.params["bn1.beta"][...] = 0.7  # nonzero, so a penalty wrongly applied would show
    assert np.abs(store.theta[net.weight_mask == 1]).min() > 0.1
    x, y, state = minibatch(trainer)
    backprop(trainer, x, y, state)
    analytic = penalize(store.grad, store.theta, net.weight_mask, l1, l2)
    w = net.weight_mask == 1

    def objective():
        W = store.theta[w]
        return forward_loss(trainer, x, y, state)[0] + l1 * np.abs(W).sum() + 0.5 * l2 * (W * W).sum()

    compare_tensors(trainer, analytic, numeric_grad(objective, store.theta))
    hp = trainer.config.training
    assert (hp.l1, hp.l2) == (l1, l2)
