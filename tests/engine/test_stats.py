"""Tests for engine.stats (per-step layer scalars) and phase stepping, against direct NumPy."""
import numpy as np
import pytest

from engine import Trainer
from engine.optimizers import OPTIMIZERS
from engine.stats import LAYER_STATS

COL = {name: k for k, name in enumerate(LAYER_STATS)}
CONFIGS = {
    "tanh": {},
    "relu": {"network": {"hidden": [{"units": 6, "activation": "relu"}, {"units": 3, "activation": "relu"}]}},
    "sigmoid_ce": {"dataset": {"name": "blobs", "n_classes": 3},
                   "network": {"hidden": [{"units": 5, "activation": "sigmoid"}]},
                   "training": {"loss": "cross_entropy", "learning_rate": 0.5}},
    "batch_norm": {"network": {"hidden": [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "tanh"}],
                               "batch_norm": True}},
    "residual": {"network": {"hidden": [{"units": 4, "activation": "relu"}] * 3, "residual": True}},
    "dropout": {"network": {"dropout": 0.3}},
    "l2_clip_adam": {"training": {"l2": 0.1, "l1": 0.01, "clip": "norm", "clip_threshold": 0.01,
                                  "optimizer": "adam"}},
    "mse_regression": {"dataset": {"name": "plane"}, "training": {"loss": "mse", "batch_size": 7}},
}


def norm(v):
    return float(np.sqrt(np.sum(np.square(v, dtype=np.float64))))


def act_entry(layers, i):
    """Index of the entry whose cache holds the activation of dense entry i."""
    return i + 1 if i + 1 < len(layers) and layers[i + 1]["kind"] == "batch_norm" else i


def direct_grads(trainer, i):
    """(dweight, dbias) of entry i computed from its cache."""
    c = trainer.net.tapes[i]
    if trainer.layers[i]["kind"] == "dense":
        return c.x.T @ c.dz, c.dz.sum(axis=0)
    return (c.dz * c.cache.x_hat).sum(axis=0), c.dz.sum(axis=0)


def expected_layers(trainer, theta_before):
    """DESIGN.md's per-entry scalars for the trainer's last step, from its tensors: (n, 10)."""
    layers, store = trainer.layers, trainer.net.store
    before, update = store.views(theta_before), store.views(trainer.last_update)
    rows = np.full((len(layers), len(LAYER_STATS)), np.nan)
    for i, layer in enumerate(layers):
        weight = f"{layer['name']}.{'W' if layer['kind'] == 'dense' else 'gamma'}"
        dweight, dbias = direct_grads(trainer, i)
        rows[i, :6] = [norm(dweight), norm(dbias), np.nan, norm(before[weight]), norm(update[weight]),
                       norm(update[weight]) / norm(before[weight])]
        if layer["kind"] != "dense":
            continue
        c = trainer.net.tapes[act_entry(layers, i)]
        a, da = c.a.astype(np.float64), c.da
        rows[i, COL["signal_norm"]] = norm(da)
        rows[i, COL["act_mean"]], rows[i, COL["act_std"]] = a.mean(), np.std(a)
        if layer["activation"] == "tanh":
            rows[i, COL["saturated_fraction"]] = np.mean(np.abs(a) > 0.97)
        elif layer["activation"] == "sigmoid":
            rows[i, COL["saturated_fraction"]] = np.mean((a < 0.03) | (a > 0.97))
        elif layer["activation"] == "relu":
            rows[i, COL["dead_fraction"]] = np.mean(np.all(a == 0.0, axis=0))
    return rows


def direct_loss(trainer, record):
    z, y = trainer.net.tapes[-1].z, trainer.data.y_train[record.batch]
    name = trainer.config.training.loss
    if name == "bce":
        return np.mean(np.logaddexp(0.0, z[:, 0]) - z[:, 0] * y), np.mean((z[:, 0] > 0) == y)
    if name == "cross_entropy":
        lse = np.log(np.exp(z).sum(axis=1))
        return np.mean(lse - z[np.arange(len(y)), y]), np.mean(z.argmax(axis=1) == y)
    return np.mean((z[:, 0] - y) ** 2), None


def step_with_before(trainer, warmup=3):
    trainer.run(warmup)
    theta = trainer.net.store.theta.copy()
    record = trainer.step()
    assert record.applied
    return theta, record


@pytest.mark.parametrize("name", list(CONFIGS))
def test_layer_stats_equal_direct_numpy(name):
    trainer = Trainer(CONFIGS[name])
    theta, record = step_with_before(trainer)
    assert record.layers.shape == (len(trainer.layers), len(LAYER_STATS))
    np.testing.assert_allclose(record.layers, expected_layers(trainer, theta), rtol=1e-10, atol=1e-300)
    loss, accuracy = direct_loss(trainer, record)
    assert record.loss == pytest.approx(loss, rel=1e-12)
    assert record.accuracy == (None if accuracy is None else pytest.approx(accuracy))


def test_batch_norm_row_holds_gamma_beta_and_no_activation_stats():
    trainer = Trainer(CONFIGS["batch_norm"])
    theta, record = step_with_before(trainer)
    store, before = trainer.net.store, trainer.net.store.views(theta)
    assert [l["kind"] for l in trainer.layers] == ["dense", "batch_norm"] * 2 + ["dense"]
    bn = record.layers[1]
    assert bn[COL["grad_norm"]] == pytest.approx(norm(store.grads["bn1.gamma"]), rel=1e-12)
    assert bn[COL["bias_grad_norm"]] == pytest.approx(norm(store.grads["bn1.beta"]), rel=1e-12)
    assert bn[COL["weight_norm"]] == pytest.approx(norm(before["bn1.gamma"]), rel=1e-12)
    for stat in ("signal_norm", "act_mean", "act_std", "saturated_fraction", "dead_fraction"):
        assert np.isnan(bn[COL[stat]]), stat
    a = trainer.net.tapes[1].a  # act(BN(z)) lives in the batch norm entry's cache
    assert record.layers[0][COL["act_mean"]] == pytest.approx(a.mean(), rel=1e-12)
    assert record.layers[0][COL["signal_norm"]] == pytest.approx(norm(trainer.net.tapes[1].da), rel=1e-12)


@pytest.mark.parametrize("clip, threshold", [("none", 1.0), ("norm", 0.01), ("norm", 1e3), ("value", 0.001)])
def test_grad_norm_is_the_raw_gradient_and_clip_norms(clip, threshold):
    trainer = Trainer({"training": {"l1": 0.01, "l2": 0.5, "clip": clip, "clip_threshold": threshold}})
    theta, record = step_with_before(trainer)
    before = trainer.net.store.views(theta)
    penalized = []
    for i, layer in enumerate(trainer.layers):
        dW, db = direct_grads(trainer, i)
        W = before[f"{layer['name']}.W"]
        assert record.layers[i, COL["grad_norm"]] == pytest.approx(norm(dW), rel=1e-12)
        penalized += [dW + 0.01 * np.sign(W) + 0.5 * W, db]
    g = np.concatenate([p.ravel() for p in penalized])
    assert record.clip_norm_before == pytest.approx(norm(g), rel=1e-12)
    used = {"none": g, "norm": g * min(1.0, threshold / (norm(g) + 1e-6)),
            "value": np.clip(g, -threshold, threshold)}[clip]
    assert record.clip_norm_after == pytest.approx(norm(used), rel=1e-12)
    np.testing.assert_allclose(trainer.last_update, -0.03 * used, rtol=1e-12)
    if clip == "norm" and threshold < 1:
        assert record.clip_norm_after == pytest.approx(threshold, rel=1e-4)
        assert record.clip_norm_before > 10 * threshold


@pytest.mark.parametrize("k", [0, 1, 3, 6])
def test_dead_fraction_counts_units_zero_for_the_whole_batch(k):
    trainer = Trainer({"network": {"hidden": [{"units": 6, "activation": "relu"}]}, "training": {"batch_size": 20}})
    W, b = trainer.net.store.params["dense1.W"], trainer.net.store.params["dense1.b"]
    W[...], b[...] = 0.0, 0.0
    W[0, k:] = 1.0  # alive units: relu(x1), zero on part of the batch but not all of it
    b[:k] = -1.0  # dead units: z = -1 for every example
    x1 = trainer.data.x_train[trainer.sampler.peek(20), 0]
    assert (x1 > 0).any() and (x1 < 0).any()
    record = trainer.step()
    assert record.layers[0, COL["dead_fraction"]] == k / 6
    assert np.isnan(record.layers[0, COL["saturated_fraction"]])
    assert np.isnan(record.layers[1, COL["dead_fraction"]])  # linear output


@pytest.mark.parametrize("activation, biases, share", [
    ("tanh", [3.0, -3.0, 0.5, 0.0], 0.5),
    ("tanh", [2.1, 2.0, -2.1, -2.0], 0.5),  # tanh(2.1) = 0.9705, tanh(2.0) = 0.964
    ("tanh", [5.0, 5.0, -5.0, 2.1], 1.0),
    ("sigmoid", [4.0, -4.0, 0.0, 3.0], 0.5),
    ("sigmoid", [3.6, -3.6, 3.4, -3.4], 0.5),  # sigmoid(3.6) = 0.9734, sigmoid(3.4) = 0.9677
    ("sigmoid", [0.0, 1.0, -1.0, 2.0], 0.0),
    ("relu", [3.0, -3.0, 0.5, 0.0], np.nan),
])
def test_saturated_fraction_constructed(activation, biases, share):
    trainer = Trainer({"network": {"hidden": [{"units": 4, "activation": activation}]}})
    trainer.net.store.params["dense1.W"][...] = 0.0
    trainer.net.store.params["dense1.b"][...] = biases
    row = trainer.step().layers[0]
    np.testing.assert_equal(row[COL["saturated_fraction"]], share)
    if activation != "relu":
        assert np.isnan(row[COL["dead_fraction"]])


def test_act_std_keeps_precision_when_the_mean_dwarfs_the_spread():
    # float32 relu units near 10 with a spread of ~4e-3: E[a²] − mean² in float32 cancels badly.
    trainer = Trainer({"network": {"hidden": [{"units": 8, "activation": "relu"}], "bias_init": 10.0,
                                   "init": "normal", "init_gain": 0.001}, "training": {"dtype": "float32"}})
    record = trainer.step()
    for i in (0, 1):
        a = trainer.net.tapes[i].a.astype(np.float64)
        assert record.layers[i, COL["act_std"]] == pytest.approx(np.std(a), rel=1e-3), i


# --- phase stepping ------------------------------------------------------------------------

NETWORKS = {"batch_norm": {"hidden": [{"units": 5, "activation": "tanh"}] * 2, "batch_norm": True},
            "residual": {"hidden": [{"units": 5, "activation": "relu"}] * 3, "residual": True}}


def cycle(trainer):
    return [trainer.phase() for _ in range(2 * len(trainer.layers) + 2)]


@pytest.mark.parametrize("network", list(NETWORKS))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_phases_equal_step_bitwise(optimizer, network):
    config = {"network": NETWORKS[network],
              "training": {"optimizer": optimizer, "learning_rate": 0.01, "weight_decay": 0.01, "l2": 0.01}}
    phased, stepped = Trainer(config), Trainer(config)
    for number in range(1, 5):
        records = cycle(phased)
        a, b = records[-1].record, stepped.step()
        assert records[-1].phase == "update" and a.step == b.step == number and not phased.mid_step
        assert np.array_equal(a.layers, b.layers, equal_nan=True)
        assert (a.loss, a.accuracy, a.clip_norm_before, a.clip_norm_after) == \
               (b.loss, b.accuracy, b.clip_norm_before, b.clip_norm_after)
        assert np.array_equal(a.batch, b.batch)
        assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)
        assert np.array_equal(phased.last_update, stepped.last_update)
        for slot, value in stepped.optimizer_state.items():
            assert np.array_equal(phased.optimizer_state[slot], value), slot
        for e, f in zip(phased.entries, stepped.entries):
            assert all(np.array_equal(e.layer.buffers()[k], f.layer.buffers()[k]) for k in f.layer.buffers())
    rows = stepped.recorder.rows
    assert phased.recorder.rows == rows == 4
    assert np.array_equal(phased.recorder.value[:rows], stepped.recorder.value[:rows], equal_nan=True)


@pytest.mark.parametrize("config", [
    {},
    {"dataset": {"name": "blobs", "n_classes": 3}, "training": {"loss": "cross_entropy"}},
    {"dataset": {"name": "plane"}, "training": {"loss": "mse"}},
], ids=["bce", "cross_entropy", "mse"])
def test_loss_phase_returns_per_example_losses_and_dout(config):
    trainer = Trainer(config)
    trainer.run(2)
    records = cycle(trainer)
    loss = records[len(trainer.layers)]
    assert (loss.phase, loss.layer) == ("loss", None)
    z, y = loss.tensors["output"], trainer.data.y_train[records[-1].record.batch]
    assert np.array_equal(z, records[len(trainer.layers) - 1].tensors["z"])
    B = len(y)
    name = trainer.config.training.loss
    if name == "bce":
        losses, dout = np.logaddexp(0.0, z[:, 0]) - z[:, 0] * y, (1 / (1 + np.exp(-z)) - y[:, None]) / B
    elif name == "cross_entropy":
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        losses, dout = -np.log(p[np.arange(B), y]), (p - np.eye(3)[y]) / B
    else:
        losses, dout = (z[:, 0] - y) ** 2, 2 * (z - y[:, None]) / B
    np.testing.assert_allclose(loss.tensors["losses"], losses, rtol=1e-10)
    np.testing.assert_allclose(loss.tensors["dout"], dout, rtol=1e-10, atol=1e-15)
    assert records[-1].record.loss == pytest.approx(losses.mean(), rel=1e-12)


def test_update_phase_returns_every_parameter_update_by_name():
    trainer = Trainer(CONFIGS["batch_norm"])
    trainer.run(2)
    theta = trainer.net.store.theta.copy()
    records = cycle(trainer)
    update = records[-1]
    names = [f"{l['name']}.{k}" for l in trainer.layers
             for k in (("W", "b") if l["kind"] == "dense" else ("gamma", "beta"))]
    assert (update.phase, update.layer) == ("update", None) and sorted(update.tensors) == sorted(names)
    before, after = trainer.net.store.views(theta), trainer.net.store.params
    backward = {r.layer: r.tensors for r in records if r.phase == "backward"}
    for i, layer in enumerate(trainer.layers):
        keys = ("W", "b") if layer["kind"] == "dense" else ("gamma", "beta")
        for key in keys:
            name = f"{layer['name']}.{key}"
            delta = update.tensors[name]
            assert delta.shape == after[name].shape
            assert np.array_equal(delta, -0.03 * backward[i]["d" + key])  # plain SGD: Δ = −lr·grad
            np.testing.assert_allclose(after[name] - before[name], delta, rtol=1e-9, atol=1e-15)
