"""The image panels' data (issue 15, point 4): one example's feature maps and dL/dA per conv and
pool entry, its saliency dL/dx, a fixed gallery of test predictions and the test confusion
matrix, each against an independent computation."""
from contextlib import contextmanager

import numpy as np
import pytest

from engine import Trainer
from engine.activations import sigmoid
from engine.image_detail import GALLERY, gallery_indices

CNN = {"seed": 3, "dataset": {"name": "digits"},
       "network": {"hidden": [{"kind": "conv2d", "channels": 4, "padding": 1, "activation": "tanh"},
                              {"kind": "max_pool", "size": 2},
                              {"kind": "conv2d", "channels": 3, "stride": 2, "padding": 1, "activation": "tanh"},
                              {"kind": "avg_pool", "size": 2}]},
       "training": {"batch_size": 16, "loss": "cross_entropy", "learning_rate": 0.1}}
# for finite differences: the digits' blank borders make tied maxima, where max pooling has a kink
SMOOTH = {**CNN, "network": {"hidden": [{**layer, "kind": "avg_pool"} if layer["kind"] == "max_pool" else layer
                                        for layer in CNN["network"]["hidden"]]}}


@contextmanager
def weights_of_the_last_step(trainer):
    """The weights the last step's forward and backward ran at (before its update), meanwhile."""
    theta = trainer.net.store.theta
    after = theta.copy()
    theta[...] = trainer.last_step.theta_before
    try:
        yield
    finally:
        theta[...] = after


def batch_loss(trainer, x, start: int = 0):
    """The last batch's mean loss with x fed to entry `start` (eval mode: no dropout here)."""
    h = x
    for e, params in zip(trainer.entries[start:], trainer.net.params[start:]):
        h, _ = e.layer.forward(h, params, "eval")
        h, _ = e.end.evaluate(h, None)
    batch = trainer.last_record.batch
    return float(trainer.loss.per_example(h, trainer.targets[batch]).mean())


def central_difference(trainer, x, element, start: int = 0, h: float = 1e-5) -> float:
    """d(batch loss)/d x[element] by central differences."""
    plus, minus = x.copy(), x.copy()
    plus[element] += h
    minus[element] -= h
    return (batch_loss(trainer, plus, start) - batch_loss(trainer, minus, start)) / (2 * h)


def trained_at_the_last_steps_weights(config):
    """A trainer 5 steps in and its detail, at the weights the last step ran at meanwhile."""
    trainer = Trainer(config)
    trainer.run(5)
    d = trainer.detail()
    with weights_of_the_last_step(trainer):
        yield trainer, d


@pytest.fixture(scope="module")
def trained():
    yield from trained_at_the_last_steps_weights(CNN)


@pytest.fixture(scope="module")
def smooth():
    yield from trained_at_the_last_steps_weights(SMOOTH)


def test_each_conv_and_pool_entry_shows_the_first_examples_maps_as_an_eval_forward_computes_them(trained):
    trainer, d = trained
    batch = trainer.last_record.batch
    _, hidden = trainer.net.evaluate(trainer.data.x_train[batch], keep_hidden=True)
    shapes = [(4, 8, 8), (4, 4, 4), (3, 2, 2), (3, 1, 1)]
    for i, shape in enumerate(shapes):
        maps = d["layers"][i]["maps"]
        assert maps["a"].shape == maps["da"].shape == shape
        assert np.allclose(maps["a"], hidden[i][0], rtol=1e-12, atol=1e-15)
    assert d["layers"][4]["maps"] is None  # the dense output layer has none


@pytest.mark.parametrize("entry", [0, 1, 2])
def test_dl_da_is_the_batch_losss_gradient_by_finite_differences(smooth, entry):
    trainer, d = smooth
    batch = trainer.last_record.batch
    _, hidden = trainer.net.evaluate(trainer.data.x_train[batch], keep_hidden=True)
    da = d["layers"][entry]["maps"]["da"]
    rng = np.random.default_rng(entry)
    for flat in rng.choice(da.size, 6, replace=False):
        element = (0, *np.unravel_index(flat, da.shape))
        numeric = central_difference(trainer, hidden[entry], element, start=entry + 1)
        assert da[element[1:]] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_saliency_is_dl_dx_of_the_shown_example_by_finite_differences(smooth):
    trainer, d = smooth
    shown = d["image"]["example"]
    batch = trainer.last_record.batch
    assert shown["example"] == 0 and shown["index"] == batch[0]
    assert np.array_equal(shown["x"], trainer.data.x_train[batch[0]])
    x = trainer.data.x_train[batch].copy()
    numeric = np.array([central_difference(trainer, x, (0, *np.unravel_index(k, (1, 8, 8)))) for k in range(64)])
    assert shown["saliency"].shape == (1, 8, 8)
    analytic = shown["saliency"].ravel()
    assert np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric) < 1e-6
    assert np.abs(numeric).max() > 1e-4  # the check is not vacuous


def test_saliency_leaves_the_steps_gradients_alone():
    trainer = Trainer(CNN)
    trainer.run(2)
    grads = trainer.net.store.grad.copy()
    trainer.detail()
    assert np.array_equal(trainer.net.store.grad, grads)


def test_gallery_and_confusion_matrix_against_a_direct_count():
    trainer = Trainer(CNN)
    trainer.run(5)
    image = trainer.detail()["image"]  # at the weights now, after the last update
    out, _ = trainer.net.evaluate(trainer.data.x_test)
    labels = trainer.data.y_test
    confusion = np.zeros((10, 10), dtype=int)
    for label, row in zip(labels, out):
        confusion[label, int(np.argmax(row))] += 1
    assert np.array_equal(image["confusion"], confusion) and image["confusion"].sum() == len(labels)
    gallery = image["gallery"]
    assert len(gallery["index"]) == GALLERY and len(set(gallery["index"].tolist())) == GALLERY
    assert np.array_equal(gallery["index"], gallery_indices(len(labels)))
    for k, row in enumerate(gallery["index"]):
        logits = out[row]
        probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        assert gallery["label"][k] == labels[row] and gallery["predicted"][k] == np.argmax(logits)
        assert gallery["confidence"][k] == pytest.approx(probabilities.max(), rel=1e-12)
        assert np.array_equal(gallery["images"][k], trainer.data.x_test[row])


def test_the_gallery_is_the_same_test_rows_at_every_step_and_a_binary_sets_confidence_is_sigmoids():
    config = {"dataset": {"name": "bars", "n_samples": 200}, "training": {"loss": "bce"},
              "network": {"hidden": [{"kind": "conv2d", "channels": 2, "activation": "relu"}]}}
    trainer = Trainer(config)
    before = trainer.detail()["image"]
    assert before["example"] is None  # no forward yet
    trainer.run(3)
    after = trainer.detail()["image"]
    assert np.array_equal(before["gallery"]["index"], after["gallery"]["index"])
    rows = after["gallery"]["index"]
    p = sigmoid(trainer.net.evaluate(trainer.data.x_test[rows])[0][:, 0])
    assert np.allclose(after["gallery"]["confidence"], np.maximum(p, 1 - p), rtol=1e-12)
    assert np.array_equal(after["gallery"]["predicted"], (p > 0.5).astype(int))
    assert after["confusion"].shape == (2, 2) and after["confusion"].sum() == len(trainer.data.y_test)


def test_mid_step_the_saliency_waits_for_the_first_entrys_backward():
    trainer = Trainer(CNN)
    trainer.run(1)
    trainer.phase()  # the first entry's forward of step 2
    d = trainer.detail()
    assert d["image"]["example"]["saliency"] is None and d["image"]["example"]["index"] is None
    assert d["layers"][0]["maps"]["da"] is None


def test_points_and_light_detail_have_no_image_part_and_maps_wait_for_the_first_forward():
    assert "image" not in Trainer({}).detail()
    trainer = Trainer(CNN)
    assert trainer.detail()["layers"][0]["maps"] is None
    trainer.run(1)
    light = trainer.detail(planes=False)
    assert "image" not in light and light["layers"][1]["maps"]["a"].shape == (4, 4, 4)
