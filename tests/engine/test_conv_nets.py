"""Convolutional nets through the engine (issue 15, points 1 and 3): a conv-pool-conv-dense stack
against centred finite differences in float64, the first dense layer flattening in (C, H, W)
order, penalties on K, phase by phase equal to the plain step bitwise, the per-step statistics
of conv and pool entries under the dense layers' names, and the recorder's bound."""
import numpy as np
import pytest

from engine import Trainer
from engine.stats import COLUMN
from gradcheck import check_backprop

pytestmark = pytest.mark.filterwarnings("error")

TOLERANCE = 1e-6


def conv(channels, kernel=3, stride=1, padding=0, activation="tanh"):
    return {"kind": "conv2d", "channels": channels, "kernel": kernel, "stride": stride, "padding": padding,
            "activation": activation}


def pool(kind="max_pool", size=2):
    return {"kind": kind, "size": size}


def trainer_for(dataset, hidden, network=None, training=None, **kwargs) -> Trainer:
    config = {"seed": 2, "dataset": {"n_samples": 60, **dataset}, "network": {"hidden": hidden, **(network or {})},
              "training": {"loss": "cross_entropy", "batch_size": 5, **(training or {})}}
    return Trainer(config, **kwargs)


STACKS = [  # (id, dataset, hidden)
    ("conv_maxpool_conv_dense_tees", {"name": "tees", "noise": 20},
     [conv(3, padding=1), pool(), conv(4, stride=2, padding=1), {"units": 5}]),
    ("conv_avgpool_conv_dense_digits", {"name": "digits"},
     [conv(2, padding=1, activation="sigmoid"), pool("avg_pool"), conv(3, kernel=2), {"units": 4}]),
    ("conv_stride2_output_bars", {"name": "bars", "noise": 30}, [conv(2, kernel=5, stride=2, padding=2)]),
]


@pytest.mark.parametrize("case", STACKS, ids=[c[0] for c in STACKS])
def test_a_conv_stack_backpropagates_as_finite_differences_say(case):
    _, dataset, hidden = case
    training = {"loss": "bce"} if dataset["name"] == "bars" else None
    grads = check_backprop(trainer_for(dataset, hidden, {"bias_init": 0.1}, training), TOLERANCE)
    assert np.abs(grads["conv1.K"]).max() > 0  # the gradient reached the first kernels


def test_the_first_dense_layer_flattens_maps_in_c_h_w_order():
    trainer = trainer_for({"name": "tees"}, [conv(3, padding=1), pool()])
    layers = trainer.layers
    assert [(l["name"], l["kind"], l.get("in_shape"), l.get("out_shape")) for l in layers] == [
        ("conv1", "conv2d", [1, 12, 12], [3, 12, 12]), ("max_pool2", "max_pool", [3, 12, 12], [3, 6, 6]),
        ("dense3", "dense", [3, 6, 6], None)]
    assert layers[2]["fan_in"] == 108 and layers[1]["activation"] is None
    x = trainer.data.x_train[:2]
    maps = trainer.net.entries[1].layer.forward(trainer.net.entries[0].layer.forward(x, trainer.net.params[0], "eval")[0]
                                                 .clip(0), {}, "eval")[0]  # any maps will do
    W, b = trainer.net.params[2]["W"], trainer.net.params[2]["b"]
    z, _ = trainer.net.entries[2].layer.forward(maps, trainer.net.params[2], "eval")
    by_hand = np.array([[sum(maps[n, c, i, j] * W[(c * 6 + i) * 6 + j, o] for c in range(3) for i in range(6)
                             for j in range(6)) + b[o] for o in range(4)] for n in range(2)])
    assert np.allclose(z, by_hand, rtol=0, atol=1e-12)


def test_l1_and_l2_penalize_kernels_and_never_their_biases():
    trainer = trainer_for({"name": "bars"}, [conv(2)], training={"loss": "bce", "l1": 0.01, "l2": 0.1})
    K0, b0 = trainer.net.params[0]["K"].copy(), trainer.net.params[0]["b"].copy()
    trainer.step()
    store, views = trainer.net.store, trainer.net.store.views(trainer.last_step.penalized)
    raw = store.views(trainer.last_step.grad)
    assert np.allclose(views["conv1.K"], raw["conv1.K"] + 0.01 * np.sign(K0) + 0.1 * K0, rtol=0, atol=1e-15)
    assert np.array_equal(views["conv1.b"], raw["conv1.b"])
    assert not np.array_equal(b0, trainer.net.params[0]["b"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_phase_by_phase_equals_the_plain_step_bitwise(dtype):
    hidden = [conv(4, padding=1, activation="relu"), pool(), conv(3, stride=2), pool("avg_pool", 2),
              {"units": 6, "activation": "relu"}]
    network, training = {"dropout": 0.2}, {"optimizer": "adam", "l2": 0.01, "clip": "norm", "dtype": dtype}
    stepped = trainer_for({"name": "tees", "noise": 10}, hidden, network, training)
    phased = trainer_for({"name": "tees", "noise": 10}, hidden, network, training)
    for _ in range(3):
        stepped.step()
    phases = []
    while phased.steps < 3:
        record = phased.phase()
        phases.append((record.phase, record.layer))
    assert np.array_equal(stepped.net.store.theta, phased.net.store.theta)
    assert np.array_equal(stepped.net.store.grad, phased.net.store.grad)
    assert stepped.net.store.theta.dtype == np.dtype(dtype)
    n = len(stepped.entries)  # one phase a layer each way
    assert phases[:2 * n + 2] == ([("forward", i) for i in range(n)] + [("loss", None)]
                                  + [("backward", i) for i in reversed(range(n))] + [("update", None)])


def test_conv_and_pool_entries_record_the_dense_layers_statistics_by_name():
    trainer = trainer_for({"name": "tees"}, [conv(4, padding=1, activation="relu"), pool(), {"units": 3}],
                          training={"learning_rate": 0.1})
    K_before = trainer.net.params[0]["K"].copy()
    record = trainer.step()
    rows, views, update = record.layers, trainer.net.store.views(trainer.last_step.grad), trainer.last_update
    conv_row, pool_row = rows[0], rows[1]
    assert conv_row[COLUMN["grad_norm"]] == pytest.approx(np.linalg.norm(views["conv1.K"]), rel=1e-12)
    assert conv_row[COLUMN["bias_grad_norm"]] == pytest.approx(np.linalg.norm(views["conv1.b"]), rel=1e-12)
    K_update = trainer.net.store.views(update)["conv1.K"]
    assert conv_row[COLUMN["update_ratio"]] == pytest.approx(np.linalg.norm(K_update) / np.linalg.norm(K_before),
                                                             rel=1e-12)
    a = trainer.net.tapes[0].a  # (B, 4, 12, 12): every position counts
    assert conv_row[COLUMN["act_mean"]] == pytest.approx(a.mean(), rel=1e-12)
    assert conv_row[COLUMN["act_std"]] == pytest.approx(a.std(), rel=1e-12)
    dead_channels = np.count_nonzero(a.max(axis=(0, 2, 3)) <= 0)  # a channel zero at every position of the batch
    assert conv_row[COLUMN["dead_fraction"]] == dead_channels / 4
    assert np.isnan(pool_row[COLUMN["grad_norm"]]) and np.isnan(pool_row[COLUMN["update_ratio"]])
    assert pool_row[COLUMN["act_mean"]] == pytest.approx(trainer.net.tapes[1].a.mean(), rel=1e-12)
    assert pool_row[COLUMN["signal_norm"]] == pytest.approx(np.linalg.norm(trainer.net.tapes[1].da), rel=1e-12)


def test_saturation_counts_every_position_of_a_tanh_conv():
    trainer = trainer_for({"name": "bars"}, [conv(3, activation="tanh")], {"init_gain": 20.0},
                          {"loss": "bce"})
    record = trainer.step()
    a = trainer.net.tapes[0].a
    assert record.layers[0, COLUMN["saturated_fraction"]] == np.count_nonzero(np.abs(a) > 0.97) / a.size > 0.1


def test_the_recorder_stays_within_its_bytes_on_the_largest_image_net():
    hidden = [conv(32, padding=1, activation="relu")] * 6 + [{"units": 256, "activation": "relu"}]
    scalar_bytes, snapshot_bytes = 20 * 8 * (3 + 3 * (4 + 10 * 8)), 40 * 2**20
    trainer = trainer_for({"name": "tees", "n_samples": 200}, hidden, training={"batch_size": 8},
                          snapshot_every=10, scalar_bytes=scalar_bytes, snapshot_bytes=snapshot_bytes)
    for _ in range(25):
        trainer.step()
        recorder = trainer.recorder
        columns = recorder.nbytes - sum(s["_bytes"] for s in recorder.snapshots)
        assert columns <= scalar_bytes and recorder.nbytes <= scalar_bytes + snapshot_bytes
    assert recorder.thinnings > 0 and recorder.snapshots_dropped > 0
