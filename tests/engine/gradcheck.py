"""Centred finite differences (CS231n style) and the per-tensor relative error of a gradient."""
import numpy as np

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
