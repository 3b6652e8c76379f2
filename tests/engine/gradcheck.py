"""Centred finite differences (CS231n style), the per-tensor relative error of a gradient, and a
whole network's backpropagation checked against them."""
import numpy as np

from engine.losses import by_example

TOLERANCE = 1e-7  # per-tensor relative error allowed in float64


def numeric_grad(f, x, h=1e-6):
    """(f(x + h·e_k) − f(x − h·e_k)) / 2h for every element of x, perturbed in place and restored."""
    flat = x.reshape(-1)
    assert np.shares_memory(flat, x), "x must be contiguous so its elements can be perturbed in place"
    grad = np.zeros(flat.size)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        up = f()
        flat[k] = old - h
        down = f()
        flat[k] = old
        grad[k] = (up - down) / (2.0 * h)
    return grad.reshape(x.shape)


def rel_error(analytic, numeric) -> float:
    """‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖), 0 when both are zero."""
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    return 0.0 if scale == 0.0 else float(np.linalg.norm(analytic - numeric) / scale)


def assert_close_grad(analytic, numeric, name="", tol=TOLERANCE):
    """Fail with the relative error and both gradients when they disagree beyond tol."""
    err = rel_error(analytic, numeric)
    assert err < tol, f"{name}: relative error {err:.3e}\nanalytic {analytic}\nnumeric  {numeric}"


def batch_loss(trainer, x, y) -> tuple:
    """The minibatch's mean data loss (over batch, and time for a sequence) and the output."""
    h = x
    for i in range(len(trainer.net.entries)):
        h = trainer.net.forward(i, h)
    out, targets = by_example(h, y)
    return float(trainer.loss.per_example(out, targets).mean()), h


def check_backprop(trainer, tol=TOLERANCE) -> dict:
    """store.grad after one backward on the next batch against centred differences, tensor by
    tensor within tol; returns the gradients by name."""
    net = trainer.net
    batch = trainer.sampler.peek(trainer.config.training.batch_size)
    x, y = trainer.data.x_train[batch], trainer.targets[batch]
    _, h = batch_loss(trainer, x, y)
    out, targets = by_example(h, y)
    d = trainer.loss.backward(out, targets).reshape(h.shape)
    for i in reversed(range(len(net.entries))):
        d = net.backward(i, d)
    analytic = net.store.grad.copy()
    numeric = numeric_grad(lambda: batch_loss(trainer, x, y)[0], net.store.theta, h=1e-6)
    for name, sl in net.store.slices.items():
        assert_close_grad(analytic[sl], numeric[sl], name, tol=tol)
    return net.store.grads
