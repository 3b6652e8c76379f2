"""Sharpness against 2/lr (Cohen et al. 2021, the edge of stability): the top eigenvalue of the
loss Hessian on a fixed batch, by power iteration on Hessian-vector products."""
import numpy as np

from .probe import Probe, affordable

FIXED_BATCH = 512  # the first this many training examples (fewer when the net is too large)
ITERATIONS = 20
TOLERANCE = 1e-4  # stop once the estimate moves less than this, relatively
EPSILON = 1e-4  # the finite difference of gradients along a unit vector


def hessian_vector(probe, theta, v) -> np.ndarray:
    """H·v at theta for a unit vector v (P,), by central differences of gradients: (P,)."""
    _, plus = probe.gradient_at(theta + EPSILON * v)
    _, minus = probe.gradient_at(theta - EPSILON * v)
    return (plus - minus) / (2 * EPSILON)


def sharpness(trainer, iterations: int = ITERATIONS) -> dict:
    """{step, value, two_over_lr, iterations, batch}: the Hessian's eigenvalue of largest
    magnitude on the fixed batch at the current weights, and the stability bound 2/lr."""
    fixed = np.arange(min(len(trainer.data.x_train), FIXED_BATCH))
    probe = Probe(trainer, affordable(trainer, fixed, 6 * iterations))  # two gradients an iteration
    n = len(probe.batch)
    v = np.random.default_rng(0).normal(size=probe.theta.shape)  # its own stream
    v /= np.linalg.norm(v)
    value, done = 0.0, 0
    with np.errstate(all="ignore"):
        for done in range(1, iterations + 1):
            hv = hessian_vector(probe, probe.theta, v)
            estimate, norm = float(v @ hv), float(np.linalg.norm(hv))
            if not np.isfinite(norm) or norm == 0:
                value = estimate
                break
            v = hv / norm
            if abs(estimate - value) <= TOLERANCE * abs(estimate):
                value = estimate
                break
            value = estimate
    lr = trainer.config.training.learning_rate
    return {"step": trainer.steps, "value": value, "two_over_lr": 2.0 / lr, "iterations": done,
            "batch": n}
