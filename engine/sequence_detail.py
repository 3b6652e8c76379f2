"""The sequence panels' data: the shown example's inputs and outputs through time, and the model's
predictions on the first test sequences, in the loss's terms (a probability of class 1 for a
classifier, the value for a regression)."""
import numpy as np

from .activations import sigmoid
from .steps import EXAMPLE

PREDICTED = {"many_to_many": 4, "many_to_one": 64}  # test sequences predicted, by output shape


def readable(out: np.ndarray, loss: str) -> np.ndarray:
    """A network's raw outputs (..., O) as the panels show them (...,): P(class 1) or the value."""
    if loss == "bce":
        return sigmoid(out[..., 0])
    if loss == "cross_entropy":
        shifted = np.exp(out - out.max(axis=-1, keepdims=True))
        return shifted[..., 1] / shifted.sum(axis=-1)
    return out[..., 0]


def example_io(trainer) -> dict | None:
    """The shown example of the last batch (the one the recurrent detail follows): {x (T, C) its
    inputs, output ((T,) many-to-many, else (1,)) or None before the loss}; None before any forward."""
    tapes = trainer.net.tapes
    if tapes[0].x is None:
        return None
    last = tapes[-1]
    output = None if last.z is None else readable(np.atleast_2d(last.z[EXAMPLE]), trainer.loss.name).reshape(-1)
    return {"x": tapes[0].x[EXAMPLE].copy(), "output": output}


def example_in_progress(trainer, phase: str) -> dict:
    """The shown example of the step in progress as far as its phase `phase` has computed it:
    example_io once the loss has run (going backward), else its inputs x (T, C) from the batch in
    progress and output None."""
    if phase != "forward":
        return example_io(trainer)
    batch = trainer.sampler.peek(trainer.config.training.batch_size)
    return {"x": trainer.data.x_train[batch[EXAMPLE]].copy(), "output": None}


def predictions(trainer) -> dict:
    """The first test sequences' targets and predictions in eval mode: {kind ("many_to_many":
    targets, outputs (K, T); "many_to_one": (K,)), loss}."""
    data = trainer.data
    kind = "many_to_many" if data.many_to_many else "many_to_one"
    k = PREDICTED[kind]
    with np.errstate(all="ignore"):
        out, _ = trainer.net.evaluate(data.x_test[:k])
    return {"kind": kind, "loss": trainer.loss.name, "targets": np.asarray(data.y_test[:k], dtype=np.float64),
            "outputs": readable(out, trainer.loss.name).astype(np.float64)}


def sequence_detail(trainer) -> dict:
    """The heavy frames' `sequence` part: {example: example_io, predictions}."""
    return {"example": example_io(trainer), "predictions": predictions(trainer)}
