"""Optimizers as a registry of update rules on flat vectors, following torch.optim.

Each rule proposes an update and the new state without changing anything, so the
trainer can show the update, and refuse it whole when it is not finite.
"""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Optimizer:
    name: str
    description: str
    reads: tuple  # training-config fields the rule uses
    slots: tuple  # names of its per-parameter state buffers
    propose: Callable  # (theta (P,), g (P,), state {slot: (P,)}, hp, t) -> (update (P,), new state)


def _sgd(theta, g, state, hp, t):
    """Plain SGD: Δθ = −lr·g."""
    return -hp.learning_rate * g, {}


def _momentum(theta, g, state, hp, t):
    """SGD with momentum (dampening 0): buf = μ·buf + g, Δθ = −lr·buf."""
    buf = hp.momentum * state["momentum_buffer"] + g
    return -hp.learning_rate * buf, {"momentum_buffer": buf}


def _nesterov(theta, g, state, hp, t):
    """Nesterov momentum: buf = μ·buf + g, Δθ = −lr·(g + μ·buf)."""
    buf = hp.momentum * state["momentum_buffer"] + g
    return -hp.learning_rate * (g + hp.momentum * buf), {"momentum_buffer": buf}


def _rmsprop(theta, g, state, hp, t):
    """RMSprop (alpha = rho, no momentum): s = ρ·s + (1−ρ)·g², Δθ = −lr·g/(√s + eps)."""
    square_avg = hp.rho * state["square_avg"] + (1.0 - hp.rho) * (g * g)
    return -hp.learning_rate * (g / (np.sqrt(square_avg) + hp.eps)), {"square_avg": square_avg}


def _adam_update(g, state, hp, t):
    """Adam's bias-corrected step and new moments: (P,) -> (P,), {exp_avg, exp_avg_sq}."""
    exp_avg = hp.beta1 * state["exp_avg"] + (1.0 - hp.beta1) * g
    exp_avg_sq = hp.beta2 * state["exp_avg_sq"] + (1.0 - hp.beta2) * (g * g)
    step_size = hp.learning_rate / (1.0 - hp.beta1**t)
    denom = np.sqrt(exp_avg_sq) / math.sqrt(1.0 - hp.beta2**t) + hp.eps
    return -step_size * (exp_avg / denom), {"exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}


def _adam(theta, g, state, hp, t):
    """Adam."""
    return _adam_update(g, state, hp, t)


def _adamw(theta, g, state, hp, t):
    """AdamW: Adam plus decoupled decay −lr·wd·θ."""
    update, new_state = _adam_update(g, state, hp, t)
    return update - (hp.learning_rate * hp.weight_decay) * theta, new_state


ADAM_FIELDS = ("learning_rate", "beta1", "beta2", "eps")
OPTIMIZERS = {o.name: o for o in [
    Optimizer("sgd", "plain SGD: θ −= lr·g", ("learning_rate",), (), _sgd),
    Optimizer("momentum", "SGD with momentum: a running sum of gradients",
              ("learning_rate", "momentum"), ("momentum_buffer",), _momentum),
    Optimizer("nesterov", "SGD with Nesterov momentum: looks ahead along the running sum",
              ("learning_rate", "momentum"), ("momentum_buffer",), _nesterov),
    Optimizer("rmsprop", "divides each step by a running RMS of its gradient",
              ("learning_rate", "rho", "eps"), ("square_avg",), _rmsprop),
    Optimizer("adam", "momentum plus per-parameter RMS scaling, bias-corrected",
              ADAM_FIELDS, ("exp_avg", "exp_avg_sq"), _adam),
    Optimizer("adamw", "Adam with decoupled weight decay",
              ADAM_FIELDS + ("weight_decay",), ("exp_avg", "exp_avg_sq"), _adamw),
]}
