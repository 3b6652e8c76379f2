"""Image datasets (issue 15, point 2): digits is the real UCI set as scikit-learn ships it, bars
is solved by one hand-set 3×3 kernel, tees' classes differ only in where the stem sits; every
set is seeded, within the image limits, and a small CNN learns digits."""
import hashlib

import numpy as np
import pytest

from engine import Trainer, validate_config
from engine.catalog import catalog
from engine.data import load_data
from engine.digits import DIGITS_FILE, DIGITS_SHA256, load_digits
from engine.images import IMAGES, TEE_STEMS, make_images
from engine.limits import LIMITS

pytestmark = pytest.mark.filterwarnings("error")


def test_digits_is_the_shipped_uci_file_scaled_to_0_1():
    assert hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest() == DIGITS_SHA256
    assert (DIGITS_FILE.parent / "README.md").read_text().count("CC BY 4.0") >= 1
    x, y = load_digits()
    assert x.shape == (1797, 1, 8, 8) and y.shape == (1797,) and x.dtype == np.float64
    assert np.array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.array_equal(x[0, 0, 0] * 16, [0, 0, 5, 13, 9, 1, 0, 0]) and y[0] == 0  # the file's first line


def test_an_image_set_has_its_own_classes_and_digits_its_own_images():
    config = validate_config({"dataset": {"name": "digits", "n_samples": 100, "n_classes": 2},
                              "training": {"loss": "cross_entropy"}})
    assert config.dataset.n_classes == 10 and config.dataset.n_samples == 1797
    assert validate_config({"dataset": {"name": "tees"}, "training": {"loss": "cross_entropy"}}).dataset.n_classes == 4
    data = load_data(config.dataset, 0, 0, "float32")
    assert data.input_kind == "image" and data.n_classes == 10 and data.features == ["ink"]
    assert data.x_train.shape == (898, 1, 8, 8) and data.x_test.shape == (899, 1, 8, 8)
    assert data.x_train.dtype == np.float32 and data.points_train is None


def test_the_split_and_the_drawn_sets_are_seeded():
    dataset = validate_config({"dataset": {"name": "tees", "noise": 20}, "training": {"loss": "cross_entropy"}}).dataset
    one, same, other = (load_data(dataset, seed, 0, "float64") for seed in (3, 3, 4))
    assert np.array_equal(one.x_train, same.x_train) and np.array_equal(one.y_test, same.y_test)
    assert not np.array_equal(one.x_train, other.x_train)
    digits = validate_config({"dataset": {"name": "digits"}, "training": {"loss": "cross_entropy"}}).dataset
    a, b = load_data(digits, 0, 0, "float64"), load_data(digits, 1, 0, "float64")
    assert not np.array_equal(a.y_train, b.y_train)
    assert np.array_equal(np.sort(np.r_[a.y_train, a.y_test]), np.sort(load_digits()[1]))  # every image, once


def test_every_image_set_keeps_the_limits_and_the_catalog_shows_a_few():
    for spec in IMAGES.values():
        C, H, W = spec.shape
        assert C <= LIMITS["max_image_channels"] and max(H, W) <= LIMITS["max_image_side"]
        assert 2 <= spec.max_classes <= LIMITS["max_image_classes"] and len(spec.channels) == C
        x, y = make_images(spec.name, 40, 10.0, np.random.default_rng(0))
        assert x.shape[1:] == spec.shape and set(np.unique(y)) <= set(range(spec.max_classes))
    shown = {d["name"]: d for d in catalog()["choices"]["datasets"] if d["input_kind"] == "image"}
    assert set(shown) == {"digits", "bars", "tees"}
    assert shown["digits"]["preview"]["labels"] == [0, 1, 2, 3] and shown["bars"]["preview"]["labels"] == [0, 1]
    assert np.asarray(shown["tees"]["preview"]["images"]).shape == (4, 1, 12, 12)
    assert shown["digits"]["image_shape"] == [1, 8, 8] and shown["digits"]["max_classes"] == 10


def test_bars_is_solved_by_one_hand_set_3x3_kernel():
    config = {"dataset": {"name": "bars", "noise": 10, "n_samples": 400},
              "network": {"hidden": [{"kind": "conv2d", "channels": 1, "kernel": 3, "padding": 1, "activation": "relu"},
                                     {"kind": "max_pool", "size": 4}, {"kind": "max_pool", "size": 2}]}}
    trainer = Trainer(config)
    conv, output = trainer.net.params[0], trainer.net.params[3]
    conv["K"][...] = [[[[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]]]  # answers a horizontal line only
    conv["b"][...] = -2.0
    output["W"][...], output["b"][...] = -1.0, 1.0  # any answer at all: horizontal (class 0)
    assert trainer.layers[3]["fan_in"] == 1  # one kernel, its largest answer anywhere, a threshold
    metrics = trainer.evaluate()
    assert metrics["train_accuracy"] == metrics["test_accuracy"] == 1.0


def test_tees_classes_share_their_parts_and_differ_in_where_the_stem_sits():
    x, y = make_images("tees", 200, 0.0, np.random.default_rng(1))
    assert np.all(x.sum(axis=(1, 2, 3)) == 8)  # a bar of 5 and a stem of 3, wholly inside
    for k in range(200):
        rows, cols = np.nonzero(x[k, 0])
        down, right = TEE_STEMS[y[k]]
        spread = (np.ptp(rows), np.ptp(cols))
        assert spread == ((3, 4) if down else (4, 3))  # the bar lies across the stem's direction
        centre_row, centre_col = rows.mean(), cols.mean()
        bar_row = np.bincount(rows).argmax() if down else None
        bar_col = np.bincount(cols).argmax() if right else None
        if down:
            assert np.sign(centre_row - bar_row) == down  # the stem's pixels pull the centre its way
        else:
            assert np.sign(centre_col - bar_col) == right


def test_a_small_cnn_reaches_95_percent_on_digits():
    config = {"seed": 0, "dataset": {"name": "digits"},
              "network": {"hidden": [{"kind": "conv2d", "channels": 8, "kernel": 3, "padding": 1, "activation": "relu"},
                                     {"kind": "max_pool", "size": 2}], "init": "he_uniform"},
              "training": {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}}
    trainer = Trainer(config, snapshot_every=0, statistics=False)
    trainer.run(400)
    assert trainer.evaluate()["test_accuracy"] >= 0.95
