"""Losses as a registry: the minibatch mean, computed from the output layer stably at any logit."""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import sigmoid


@dataclass(frozen=True)
class Loss:
    name: str
    description: str
    tasks: tuple  # dataset tasks it accepts
    max_classes: int  # most classes it can separate
    outputs: Callable  # n_classes -> units of the output layer
    per_example: Callable  # (out (B, K), y (B,)) -> losses (B,)
    backward: Callable  # (out (B, K), y (B,)) -> dL/dout (B, K) of the batch mean
    predict: Callable  # out (B, K) -> predicted labels (B,) (classification only)
    int_targets: bool = False  # y as integer labels (else as floats of the network's dtype)


def _mse(out, y):
    """Squared error per example: (B, 1), (B,) -> (B,)."""
    return (out[:, 0] - y) ** 2


def _mse_backward(out, y):
    """Gradient of mean squared error: (B, 1), (B,) -> (B, 1)."""
    return (2.0 / len(y)) * (out - y[:, None])


def _bce(out, y):
    """Binary cross-entropy from logits, log(1 + e^-|z|) form: (B, 1), (B,) -> (B,)."""
    z = out[:, 0]
    return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _bce_backward(out, y):
    """Gradient of mean BCE from logits: (B, 1), (B,) -> (B, 1)."""
    return (sigmoid(out) - y[:, None]) * (1.0 / len(y))


def log_softmax(out):
    """Row-wise log-softmax, shifted by the row max: (B, C) -> (B, C)."""
    shifted = out - out.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _cross_entropy(out, y):
    """Cross-entropy from logits per example: (B, C), (B,) -> (B,)."""
    return -log_softmax(out)[np.arange(len(y)), y]


def _cross_entropy_backward(out, y):
    """Gradient of mean cross-entropy: softmax − one-hot, over B: (B, C), (B,) -> (B, C)."""
    grad = np.exp(log_softmax(out))
    grad[np.arange(len(y)), y] -= 1.0
    return grad * (1.0 / len(y))


def by_example(out, y):
    """Outputs and targets as rows the losses read: (B, K), (B,) as they are; a sequence's
    (B, T, K), (B, T) as B·T rows, so the mean runs over batch and time (torch's mean)."""
    return out.reshape(-1, out.shape[-1]), y.reshape(-1)


LOSSES = {l.name: l for l in [
    Loss("mse", "mean squared error (no ½), one output; targets 0/1 on a binary set",
         ("classification", "regression"), 2, lambda c: 1, _mse, _mse_backward,
         lambda out: (out[:, 0] > 0.5).astype(np.int64)),
    Loss("bce", "binary cross-entropy on one logit (BCEWithLogitsLoss)",
         ("classification",), 2, lambda c: 1, _bce, _bce_backward,
         lambda out: (out[:, 0] > 0).astype(np.int64)),
    Loss("cross_entropy", "softmax cross-entropy on C logits (CrossEntropyLoss)",
         ("classification",), 10, lambda c: c, _cross_entropy, _cross_entropy_backward,
         lambda out: out.argmax(axis=1), int_targets=True),
]}
