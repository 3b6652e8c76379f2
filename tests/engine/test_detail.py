"""Tests for engine.detail and engine.histograms: tensors, neuron means, histograms, grids, maps."""
import numpy as np
import pytest

from engine import Trainer
from engine import panel_data as detail_module
from engine.panel_data import EXTENT, GRID, MAP_GRID, MAX_MAPS, MAX_SIDE, map_units
from engine.histograms import BINS, histogram

RICH = {"network": {"hidden": [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "tanh"}],
                    "batch_norm": True},
        "training": {"l2": 0.5, "l1": 0.1, "clip": "value", "clip_threshold": 0.001}}


def weight_keys(layer):
    return ("W", "b") if layer["kind"] == "dense" else ("gamma", "beta")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def rich():
    trainer = Trainer(RICH)
    trainer.run(4)
    return trainer, trainer.detail()


def test_layer_tensors_equal_the_engines(rich):
    trainer, d = rich
    store, updates = trainer.net.store, trainer.net.store.views(trainer.last_update)
    used = store.views(trainer.last_step.used)
    assert d["step"] == 4 and len(d["layers"]) == len(trainer.layers) == 5
    for i, (layer, entry) in enumerate(zip(trainer.layers, d["layers"])):
        name = f"{layer['name']}.{weight_keys(layer)[0]}"
        c = trainer.net.tapes[i]
        direct = c.x.T @ c.dz if layer["kind"] == "dense" else (c.dz * c.cache.x_hat).sum(axis=0)
        assert entry["weights"]["shape"] == list(store.params[name].shape) and "summarized" not in entry["weights"]
        assert np.array_equal(entry["weights"]["values"], store.params[name])
        np.testing.assert_allclose(entry["grads"]["values"], direct, rtol=1e-12, atol=1e-300)
        assert np.array_equal(entry["updates"]["values"], updates[name])
        if layer["kind"] == "dense":  # penalties and clipping are not in the detail's grads
            assert not np.allclose(entry["grads"]["values"], used[name])


def test_neuron_means_are_batch_means_of_a_and_da(rich):
    trainer, d = rich
    for i, (layer, entry) in enumerate(zip(trainer.layers, d["layers"])):
        if layer["kind"] == "batch_norm":
            assert entry["neuron_act"] is None and entry["neuron_signal"] is None and entry["hist"]["act"] is None
            continue
        follows_bn = i + 1 < len(trainer.layers) and trainer.layers[i + 1]["kind"] == "batch_norm"
        c = trainer.net.tapes[i + 1 if follows_bn else i]
        np.testing.assert_allclose(entry["neuron_act"], c.a.mean(axis=0), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(entry["neuron_signal"], c.da.mean(axis=0), rtol=1e-12, atol=1e-18)
        assert entry["neuron_act"].shape == (layer["fan_out"],)


def test_layer_histograms_count_every_value(rich):
    trainer, d = rich
    for i, entry in enumerate(d["layers"]):
        size = entry["weights"]["values"].size
        for kind in ("weight", "grad"):
            h = entry["hist"][kind]
            assert h["counts"].sum() == size and len(h["edges"]) == BINS + 1
            assert h["log_counts"].sum() + h["zeros"] == size
        if entry["hist"]["act"] is not None:
            assert entry["hist"]["act"]["counts"].sum() == entry["neuron_act"].size * 10  # batch of 10


@pytest.mark.parametrize("values, finite, zeros", [
    ([1.0, -2.0, 3.5, 0.0], 4, 1),
    ([np.nan, np.inf, -np.inf, 1.0, 0.0, 0.0], 3, 2),
    ([7.0] * 5, 5, 0),
    ([0.0] * 3, 3, 3),
    ([np.nan, np.nan], 0, 0),
    (list(np.random.default_rng(0).normal(size=1000)), 1000, 0),
])
def test_histogram_counts_sum_to_finite_values(values, finite, zeros):
    h = histogram(np.array(values))
    assert int(np.sum(h["counts"])) == finite and h["zeros"] == zeros
    assert h["nonfinite"] == len(values) - finite
    assert int(np.sum(h["log_counts"])) == finite - zeros
    if finite:
        v = np.array(values)[np.isfinite(values)]
        assert h["edges"][0] <= v.min() and v.max() <= h["edges"][-1]


def test_log_histogram_covers_1e_minus_8_to_1e3():
    values = np.array([1e-8, -3e-6, 2e-3, 0.5, -40.0, 1e3, 0.0])
    h = histogram(values)
    assert h["log_edges"][0] <= -8 and h["log_edges"][-1] >= 3
    assert len(h["log_edges"]) == BINS + 1 and h["log_counts"].sum() == 6 and h["zeros"] == 1
    logs = np.log10(np.abs(values[values != 0]))
    counts, _ = np.histogram(logs, bins=h["log_edges"])
    assert np.array_equal(counts, h["log_counts"])


@pytest.mark.parametrize("values", [
    [1.0, np.nextafter(1.0, 2.0)], [0.9999999999999996, 1.0, 1.0],  # ulps apart (saturated tanh)
    [0.0, 5e-324], [1e-310, 3e-310],  # subnormal spread: BINS / (high - low) overflows
    [-1e308, 1e308],  # high - low overflows
])
def test_histogram_of_extreme_ranges(values):
    with np.errstate(all="ignore"):  # as detail() calls it
        h = histogram(np.array(values))
    assert h["counts"].sum() == len(values)
    assert np.all(np.isfinite(h["edges"])) and h["edges"][0] <= min(values) and max(values) <= h["edges"][-1]


def test_detail_of_a_saturated_tanh_layer():
    # tanh(18) and tanh(25) differ by 2 ulps: the act histogram must still be drawn
    trainer = Trainer({"network": {"hidden": [{"units": 2, "activation": "tanh"}]}})
    trainer.net.store.params["dense1.W"][...] = 0.0
    trainer.net.store.params["dense1.b"][...] = [18.0, 25.0]
    trainer.step()
    assert trainer.detail()["layers"][0]["hist"]["act"]["counts"].sum() == 20


def test_matrices_larger_than_max_side_are_summarized():
    trainer = Trainer({"network": {"hidden": [{"units": 100, "activation": "relu"}, {"units": 70}],
                                   "batch_norm": True}})
    trainer.step()
    layers, params = trainer.detail()["layers"], trainer.net.store.params
    by_name = dict(zip([l["name"] for l in trainer.layers], layers))
    big = by_name["dense2"]["weights"]
    assert big["shape"] == [100, 70] and big["values"].shape == (MAX_SIDE, MAX_SIDE)
    rows, cols = big["summarized"]["rows"], big["summarized"]["cols"]
    assert rows[0] == 0 and rows[-1] == 99 and cols[0] == 0 and cols[-1] == 69
    assert np.all(np.diff(rows) > 0) and np.all(np.diff(cols) > 0) and np.all(np.diff(rows) <= 2)
    assert np.array_equal(big["values"], params["dense2.W"][np.ix_(rows, cols)])
    wide = by_name["dense1"]["weights"]
    assert wide["shape"] == [2, 100] and wide["values"].shape == (2, MAX_SIDE)
    assert wide["summarized"]["rows"].tolist() == [0, 1]
    gamma = by_name["bn1"]["grads"]
    assert gamma["shape"] == [100] and gamma["values"].shape == (MAX_SIDE,) and "rows" in gamma["summarized"]
    tall = by_name["dense3"]["weights"]
    assert tall["values"].shape == (MAX_SIDE, 1) and tall["summarized"]["cols"].tolist() == [0]
    assert by_name["dense2"]["hist"]["weight"]["counts"].sum() == 7000  # histograms see every value


# --- output grid and neuron maps ------------------------------------------------------------

def plane(n):
    ticks = np.linspace(*EXTENT, n)
    return ticks, np.array([[x, y] for y in ticks for x in ticks])


@pytest.mark.parametrize("config, kind", [
    ({}, "probability"),
    ({"dataset": {"name": "blobs", "n_classes": 3}, "training": {"loss": "cross_entropy"}}, "class"),
    ({"dataset": {"name": "plane"}, "training": {"loss": "mse"}}, "value"),
    ({"training": {"loss": "mse"}}, "probability"),
    ({"dataset": {"features": ["x1", "x2", "x1_sq", "sin_x2"]}}, "probability"),
])
def test_output_grid_equals_eval_mode_outputs(config, kind):
    trainer = Trainer(config)
    trainer.run(30)
    grid = trainer.detail()["output_grid"]
    ticks, points = plane(GRID)
    assert grid["kind"] == kind and np.array_equal(grid["x"], ticks) and np.array_equal(grid["y"], ticks)
    assert grid["values"].shape == (GRID, GRID)
    features = trainer.config.dataset.features
    columns = {"x1": points[:, 0], "x2": points[:, 1], "x1_sq": points[:, 0] ** 2, "sin_x2": np.sin(points[:, 1])}
    out, _ = trainer.net.evaluate(np.column_stack([columns[f] for f in features]))
    expected = {"probability": sigmoid(out[:, 0]) if trainer.loss.name == "bce" else out[:, 0],
                "class": out.argmax(axis=1), "value": out[:, 0]}[kind]
    np.testing.assert_allclose(grid["values"].ravel(), expected, rtol=1e-12, atol=1e-15)
    r, c = 7, 41  # row = y tick, column = x tick
    single, _ = trainer.net.evaluate(trainer.data.inputs(np.array([[ticks[c], ticks[r]]])))
    if kind == "class":
        assert grid["values"][r, c] == single.argmax()
    else:
        value = sigmoid(single[0, 0]) if trainer.loss.name == "bce" else single[0, 0]
        assert grid["values"][r, c] == pytest.approx(value, rel=1e-12)


def test_neuron_maps_are_each_hidden_units_output():
    trainer = Trainer({"network": {"hidden": [{"units": 3}, {"units": 2, "activation": "relu"}]}})
    trainer.run(10)
    maps = trainer.detail()["neuron_maps"]
    ticks, points = plane(MAP_GRID)
    assert np.array_equal(maps["x"], ticks) and maps["total_units"] == 5 and maps["summarized"] is False
    assert maps["units"] == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]]
    p = trainer.net.store.params
    first = np.tanh(points @ p["dense1.W"] + p["dense1.b"])
    second = np.maximum(first @ p["dense2.W"] + p["dense2.b"], 0.0)
    for (k, unit), m in zip(maps["units"], maps["maps"]):
        assert m.shape == (MAP_GRID, MAP_GRID)
        np.testing.assert_allclose(m.ravel(), (first, second)[k][:, unit], rtol=1e-12, atol=1e-15)


def test_neuron_maps_beyond_max_maps_are_summarized():
    trainer = Trainer({"network": {"hidden": [{"units": 200}, {"units": 100}]}})
    maps = trainer.detail()["neuron_maps"]
    assert maps["total_units"] == 300 and len(maps["maps"]) == MAX_MAPS and maps["summarized"] is True
    # the narrower layer has all its maps; the wider one the rest, from both of its ends
    first = MAX_MAPS - 100
    assert maps["units"] == ([[0, u] for u in range(first // 2)] + [[0, u] for u in range(200 - first // 2, 200)]
                             + [[1, u] for u in range(100)])
    _, points = plane(MAP_GRID)
    p = trainer.net.store.params
    a = np.tanh(points @ p["dense1.W"] + p["dense1.b"])
    np.testing.assert_allclose(maps["maps"][first // 2].ravel(), a[:, 200 - first // 2], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("widths, expected", [
    ([32] * 10, [26] * 6 + [25] * 4),  # 25 each, then the 6 left over one by one
    ([3, 500], [3, MAX_MAPS - 3]),
    ([1000, 1000, 1000], [86, 85, 85]),
    ([MAX_MAPS, 1], [MAX_MAPS - 1, 1]),  # the 1-wide layer's unused share goes to the other
    ([0, 4], [0, 4]),
])
def test_map_units_share_the_budget_between_layers(widths, expected):
    units = map_units(widths)
    assert [sum(1 for k, _ in units if k == layer) for layer in range(len(widths))] == expected
    assert len(units) <= MAX_MAPS and len({tuple(u) for u in units}) == len(units)
    for layer, width in enumerate(widths):  # both ends of every layer: the units the page draws
        picked = [u for k, u in units if k == layer]
        if width and expected[layer] >= 2:
            assert 0 in picked and width - 1 in picked


def test_batch_norm_detail_uses_running_statistics():
    trainer = Trainer({"network": {"hidden": [{"units": 4}], "batch_norm": True}})
    trainer.run(25)
    bn = trainer.entries[1]
    assert not np.allclose(bn.layer.running["mean"], 0.0) and not np.allclose(bn.layer.running["var"], 1.0)
    grid = trainer.detail()["output_grid"]["values"]
    ticks, _ = plane(GRID)
    r, c = 10, 33
    point = np.array([[ticks[c], ticks[r]]])
    p = trainer.net.store.params
    z = point @ p["dense1.W"] + p["dense1.b"]
    a = np.tanh(p["bn1.gamma"] * (z - bn.layer.running["mean"]) / np.sqrt(bn.layer.running["var"] + 1e-5) + p["bn1.beta"])
    logit = a @ p["dense2.W"] + p["dense2.b"]
    assert grid[r, c] == pytest.approx(sigmoid(logit[0, 0]), rel=1e-12)
    alone, _ = trainer.net.evaluate(point)
    with_others, _ = trainer.net.evaluate(np.vstack([point, 100 * np.ones((5, 2))]))
    assert alone[0, 0] == pytest.approx(with_others[0, 0], rel=1e-13)


def test_summarize_small_and_vector():
    small = detail_module.summarize(np.ones((3, 4)))
    assert small["shape"] == [3, 4] and "summarized" not in small
    vector = detail_module.summarize(np.arange(200.0))
    assert vector["values"].shape == (MAX_SIDE,) and vector["values"][-1] == 199.0
