"""Tests for engine.datasets and engine.features."""

import math

import numpy as np
import pytest

from engine.datasets import POINT_SETS as DATASETS, make_dataset, split
from engine.features import FEATURES, expand_features, standardization

ALL = list(DATASETS)
CLASSIFICATION = [name for name in ALL if DATASETS[name].task == "classification"]
FIXED_BINARY = ["circle", "xor", "gauss", "moons"]
REGRESSION = ["plane", "multigauss"]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def expected_counts(n: int, c: int) -> list[int]:
    return [n // c + (k < n % c) for k in range(c)]


def test_registry_order_and_names():
    assert ALL == ["circle", "xor", "gauss", "spiral", "moons", "blobs", "plane", "multigauss"]
    assert all(spec.name == key for key, spec in DATASETS.items())
    assert all(spec.description and "\n" not in spec.description for spec in DATASETS.values())


@pytest.mark.parametrize("name, task, max_classes", [
    ("circle", "classification", 2),
    ("xor", "classification", 2),
    ("gauss", "classification", 2),
    ("spiral", "classification", 5),
    ("moons", "classification", 2),
    ("blobs", "classification", 5),
    ("plane", "regression", 1),
    ("multigauss", "regression", 1),
])
def test_spec_task_and_max_classes(name, task, max_classes):
    assert (DATASETS[name].task, DATASETS[name].max_classes) == (task, max_classes)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n, noise", [(1, 0), (7, 50), (500, 0), (501, 25)])
def test_shape_and_dtype(name, n, noise):
    x, y = make_dataset(name, n, noise, DATASETS[name].max_classes, rng())
    assert x.shape == (n, 2) and x.dtype == np.float64
    assert y.shape == (n,)
    assert y.dtype == (np.int64 if DATASETS[name].task == "classification" else np.float64)
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))


@pytest.mark.parametrize("name, noise, c", [
    ("spiral", 0, 2), ("spiral", 0, 3), ("spiral", 50, 4), ("spiral", 20, 5),
    ("blobs", 0, 2), ("blobs", 0, 4), ("blobs", 50, 3), ("blobs", 35, 5),
    ("gauss", 0, 2), ("gauss", 50, 2),
    ("moons", 0, 2), ("moons", 50, 2),
    ("circle", 0, 2),
    ("xor", 0, 2),
])
@pytest.mark.parametrize("n", [500, 503])
def test_class_balance_exact(name, noise, c, n):
    _, y = make_dataset(name, n, noise, c, rng(3))
    assert np.bincount(y, minlength=c).tolist() == expected_counts(n, c)


@pytest.mark.parametrize("name", ["circle", "xor"])
def test_noisy_circle_and_xor_are_roughly_balanced(name):
    _, y = make_dataset(name, 2000, 50, 2, rng())
    assert set(np.unique(y)) == {0, 1}
    assert np.bincount(y).min() > 2000 * 0.25


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("noise", [0, 50])
def test_labels_in_range(name, noise):
    c = DATASETS[name].max_classes
    _, y = make_dataset(name, 400, noise, c, rng())
    assert y.min() >= 0 and y.max() < c


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_points_within_bounds_at_noise_zero(name, seed):
    x, _ = make_dataset(name, 500, 0, DATASETS[name].max_classes, rng(seed))
    assert np.abs(x).max() <= 6.5


@pytest.mark.parametrize("name", ALL)
def test_same_seed_is_bitwise_equal_and_other_seed_differs(name):
    c = DATASETS[name].max_classes
    x1, y1 = make_dataset(name, 300, 30, c, rng(7))
    x2, y2 = make_dataset(name, 300, 30, c, rng(7))
    x3, _ = make_dataset(name, 300, 30, c, rng(8))
    assert x1.tobytes() == x2.tobytes() and y1.tobytes() == y2.tobytes()
    assert not np.array_equal(x1, x3)


def test_global_numpy_random_state_is_untouched():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    for name in ALL:
        make_dataset(name, 100, 20, DATASETS[name].max_classes, rng())
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_output_is_shuffled(name):
    _, y = make_dataset(name, 500, 0, DATASETS[name].max_classes, rng())
    assert np.any(np.diff(y) < 0)


@pytest.mark.parametrize("name", FIXED_BINARY + REGRESSION)
def test_n_classes_is_ignored_for_fixed_sets(name):
    x2, y2 = make_dataset(name, 200, 10, 2, rng())
    x5, y5 = make_dataset(name, 200, 10, 5, rng())
    assert np.array_equal(x2, x5) and np.array_equal(y2, y5)


@pytest.mark.parametrize("c", [2, 3, 4, 5])
@pytest.mark.parametrize("name", ["spiral", "blobs"])
def test_multiclass_sets_give_c_classes(name, c):
    _, y = make_dataset(name, 500, 10, c, rng())
    assert sorted(np.unique(y)) == list(range(c))


def test_circle_geometry_at_noise_zero():
    x, y = make_dataset("circle", 1000, 0, 2, rng())
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.all(r[y == 1] < 2.5)
    assert np.all((r[y == 0] >= 3.5) & (r[y == 0] <= 5))


def test_xor_geometry_at_noise_zero():
    x, y = make_dataset("xor", 1000, 0, 2, rng())
    assert np.array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(np.int64))
    assert np.all((np.abs(x) >= 0.3) & (np.abs(x) <= 5.3))


def test_gauss_centres():
    x, y = make_dataset("gauss", 4000, 0, 2, rng())
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [-2, -2], atol=0.1)


@pytest.mark.parametrize("name", ["gauss", "blobs"])
@pytest.mark.parametrize("noise, variance", [(0, 0.5), (25, 2.25), (50, 4.0)])
def test_gaussian_spread_follows_playground_scale(name, noise, variance):
    x, y = make_dataset(name, 20000, noise, 2, rng())
    np.testing.assert_allclose(x[y == 0].std(axis=0), math.sqrt(variance), rtol=0.05)


@pytest.mark.parametrize("c", [2, 3, 5])
def test_blob_centres_on_radius_four_circle(c):
    x, y = make_dataset("blobs", 5000, 0, c, rng())
    for k in range(c):
        angle = 2 * math.pi * k / c
        np.testing.assert_allclose(x[y == k].mean(axis=0), [4 * math.cos(angle), 4 * math.sin(angle)], atol=0.1)


def test_moons_lie_on_scaled_unit_half_circles_at_noise_zero():
    x, y = make_dataset("moons", 1000, 0, 2, rng())
    unit = x * 3 / 10 + [0.5, 0.25]
    upper, lower = unit[y == 0], unit[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*(lower - [1, 0.5]).T), 1.0)
    assert np.all(upper[:, 1] >= 0) and np.all(lower[:, 1] <= 0.5)
    assert np.abs(x[:, 0]).max() <= 5 + 1e-9 and np.abs(x[:, 1]).max() <= 2.5 + 1e-9


def test_spiral_two_arms_match_playground():
    n = 400
    x, y = make_dataset("spiral", n, 0, 2, rng())
    arms = [x[y == k][np.argsort(np.hypot(*x[y == k].T))] for k in (0, 1)]
    np.testing.assert_allclose(arms[0], -arms[1], atol=1e-12)  # deltaT pi vs 0: point reflection
    first = arms[1][1]  # Playground's label +1 arm (deltaT 0) at i = 1
    m = n // 2
    np.testing.assert_allclose(first, 5 / m * np.array([math.sin(3.5 * math.pi / m), math.cos(3.5 * math.pi / m)]))


def test_spiral_noise_is_bounded_by_noise_over_100():
    clean, _ = DATASETS["spiral"].make(300, 0, 3, rng(5))
    noisy, _ = DATASETS["spiral"].make(300, 40, 3, rng(5))
    assert 0 < np.abs(noisy - clean).max() <= 0.4


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_points_span_six_square(name):
    x, _ = make_dataset(name, 2000, 50, 1, rng())
    assert np.abs(x).max() <= 6 and np.abs(x).max() > 5.9


def test_plane_target_at_noise_zero():
    x, y = make_dataset("plane", 1000, 0, 1, rng())
    np.testing.assert_allclose(y, (x[:, 0] + x[:, 1]) / 10)
    assert np.abs(y).max() <= 1.2  # Playground's scale is unclamped: |x + y| <= 12 gives |y| <= 1.2


def test_multigauss_matches_playground_loop_and_range():
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]

    def playground_label(px, py):
        label = 0.0
        for cx, cy, sign in centres:
            new = sign * min(1.0, max(0.0, 1 - math.hypot(px - cx, py - cy) / 2))
            if abs(new) > abs(label):
                label = new
        return label

    x, y = make_dataset("multigauss", 500, 0, 1, rng())
    assert np.abs(y).max() <= 1
    np.testing.assert_allclose(y, [playground_label(px, py) for px, py in x], atol=1e-12)
    assert y.min() < -0.5 and y.max() > 0.5


@pytest.mark.parametrize("n, fraction, n_train", [
    (10, 0.8, 8), (10, 0.0, 1), (10, 1.0, 9), (2, 0.5, 1), (7, 0.5, 4), (500, 0.75, 375),
])
def test_split_sizes_and_disjointness(n, fraction, n_train):
    x = np.column_stack([np.arange(n), np.zeros(n)]).astype(np.int64)
    y = np.arange(n, dtype=np.int64)
    x_tr, y_tr, x_te, y_te = split(x, y, fraction, rng())
    assert (len(x_tr), len(y_tr), len(x_te), len(y_te)) == (n_train, n_train, n - n_train, n - n_train)
    assert x_tr.dtype == np.float64 and y_tr.dtype == np.int64
    assert np.array_equal(x_tr[:, 0], y_tr) and np.array_equal(x_te[:, 0], y_te)
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(n))


def test_split_keeps_float_target_dtype_and_is_random():
    x, y = make_dataset("plane", 100, 0, 1, rng())
    _, y_tr, _, _ = split(x, y.astype(np.float32), 0.5, rng(1))
    assert y_tr.dtype == np.float32
    assert not np.array_equal(split(x, y, 0.5, rng(1))[1], split(x, y, 0.5, rng(2))[1])


def test_feature_registry_order_and_labels():
    assert list(FEATURES) == ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
    assert [f.label for f in FEATURES.values()] == ["x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin(x₁)", "sin(x₂)"]


def test_expand_features_matches_hand_computation():
    x = np.array([[1.0, 2.0], [-0.5, 3.0]])
    expected = np.array([[1.0, 2.0, 1.0, 4.0, 2.0, math.sin(1.0), math.sin(2.0)],
                         [-0.5, 3.0, 0.25, 9.0, -1.5, math.sin(-0.5), math.sin(3.0)]])
    np.testing.assert_allclose(expand_features(x, list(FEATURES)), expected)
    np.testing.assert_allclose(expand_features(x, ["sin_x2", "x1"]), expected[:, [6, 0]])
    assert expand_features(x, []).shape == (2, 0)


def test_standardization_uses_training_statistics_only():
    g = rng()
    train = g.normal([3.0, -2.0, 0.0], [5.0, 0.1, 1.0], (200, 3))
    train[:, 2] = 0.1  # constant column: std left at 1
    shift, scale = standardization(train)
    train_s = (train - shift) / scale
    np.testing.assert_allclose(train_s.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train_s[:, :2].std(axis=0), 1)
    np.testing.assert_allclose(train_s[:, 2], 0, atol=1e-12)
    np.testing.assert_allclose(shift, train.mean(axis=0))
    np.testing.assert_allclose(scale, [*train[:, :2].std(axis=0), 1.0])
