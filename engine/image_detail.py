"""The image panels' data: one example's feature maps and their gradients per conv and pool entry,
its saliency dL/dx, the model's predictions on a fixed sample of test images, and the test
confusion matrix."""
import numpy as np

from .activations import sigmoid
from .recurrent_detail import EXAMPLE

GALLERY = 24  # test images in the gallery
GALLERY_SEED = 15  # fixes which test images the gallery shows


def example_maps(trainer, i: int) -> dict | None:
    """Entry i's maps for the shown example of the last batch: {a (C, H, W) after the activation,
    da (C, H, W) dL/da or None before the backward reached it}; None before any forward."""
    tape = trainer.net.tapes[i]
    if tape.a is None:
        return None
    return {"a": tape.a[EXAMPLE].copy(), "da": None if tape.da is None else tape.da[EXAMPLE].copy()}


def saliency(trainer) -> np.ndarray | None:
    """dL/dx (C, H, W) of the shown example, L the batch's mean loss: the first entry's forward and
    backward run again on that example alone, with need_dx, from the dz the step taped and at the
    weights that step ran at (the step itself skips the first layer's dx); None before the backward
    reached the first entry."""
    net = trainer.net
    tape, entry = net.tapes[0], net.entries[0]
    if tape.dz is None:
        return None
    params = net.params[0]
    if not trainer.mid_step:  # the step is done: its update has moved the weights on
        before = net.store.views(trainer.last_step.theta_before)
        params = {key: before[name] for key, name in entry.param_names.items()}
    layer = entry.layer
    _, cache = layer.forward(tape.x[EXAMPLE:EXAMPLE + 1], params, "train")
    scratch = {key: np.zeros_like(grad) for key, grad in net.grads[0].items()}  # the step's stay untouched
    return layer.backward(tape.dz[EXAMPLE:EXAMPLE + 1], cache, params, scratch, need_dx=True)[0]


def class_scores(out: np.ndarray, loss: str) -> np.ndarray:
    """Raw outputs (N, O) as a score per class (N, K): softmax for cross_entropy, (1 − σ, σ) for
    bce, (1 − out, out) for mse (not a probability: the value the loss fits)."""
    if loss == "cross_entropy":
        shifted = np.exp(out - out.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    p = sigmoid(out[:, 0]) if loss == "bce" else out[:, 0]
    return np.column_stack([1 - p, p])


def gallery_indices(n_test: int) -> np.ndarray:
    """The test rows the gallery shows: GALLERY of them (all, when fewer), drawn by GALLERY_SEED, sorted."""
    return np.sort(np.random.default_rng(GALLERY_SEED).choice(n_test, min(GALLERY, n_test), replace=False))


def test_predictions(trainer) -> dict:
    """The test set in eval mode: {gallery: {index (G,), images (G, C, H, W), label, predicted,
    confidence (G,)}, confusion (K, K): counts of test images by true class (row) and predicted
    class (column)}; confidence is the predicted class's score (class_scores)."""
    data, loss = trainer.data, trainer.loss
    out, _ = trainer.net.evaluate(data.x_test)
    labels = np.asarray(data.y_test, dtype=np.int64)
    predicted = np.asarray(loss.predict(out), dtype=np.int64)
    k = data.n_classes
    confusion = np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)
    picks = gallery_indices(len(labels))
    scores = class_scores(out[picks].astype(np.float64), loss.name)
    return {"gallery": {"index": picks, "images": data.x_test[picks], "label": labels[picks],
                        "predicted": predicted[picks],
                        "confidence": scores[np.arange(len(picks)), predicted[picks]]},
            "confusion": confusion}


def image_detail(trainer) -> dict:
    """The heavy frames' `image` part: {example: {example, index (its row in the training set;
    None in the middle of a phase-by-phase step), x (C, H, W), saliency (C, H, W) or None} or None
    before any forward, and test_predictions' gallery and confusion}."""
    tape, record = trainer.net.tapes[0], trainer.last_record
    example = None
    if tape.x is not None:
        batch = record.batch if record is not None and not trainer.mid_step else None
        example = {"example": EXAMPLE, "index": None if batch is None else int(batch[EXAMPLE]),
                   "x": tape.x[EXAMPLE].copy(), "saliency": saliency(trainer)}
    return {"example": example, **test_predictions(trainer)}
