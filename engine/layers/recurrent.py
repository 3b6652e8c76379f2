"""What the recurrent kinds share: inputs (B, T, C), a loop over time forward and back through
time backward, the weights W_x (C, G·H), W_h (H, G·H) and b (G·H,) for G gate blocks, and how
they start (W_x from `init`, each H×H block of W_h from `recurrent_init`)."""
from dataclasses import dataclass

import numpy as np

from ..inits import INITS
from .base import BIAS, WEIGHT, Layer, ParamSpec

IDENTITY = "identity"  # recurrent_init g·I (Le, Jaitly & Hinton's IRNN), rnn only


@dataclass
class RecurrentCache:
    """What every recurrent forward keeps: the input x (B, T, C) and every h_t (B, T, H); the
    backward adds every dL/dh_t dh (B, T, H), the pre-activation gradients dpre (B, T, G·H) and
    ‖dL/dh_t‖ by time (T,)."""
    x: np.ndarray = None
    h: np.ndarray = None
    dh: np.ndarray = None
    dpre: np.ndarray = None
    signal_by_time: np.ndarray = None


def recurrent_block(rng, name: str, units: int, gain: float):
    """One H×H block of W_h from `recurrent_init`: (H, H)."""
    if name == IDENTITY:
        return gain * np.eye(units)
    return INITS[name].sample(rng, units, units, gain)


class Recurrent(Layer):
    """A layer run over time: x (B, T, C) -> h (B, T, H), or h_T (B, H) when it ends the sequence
    of a many-to-one net. Subclasses give `gates` (G) and the step forward and backward."""
    recurrent = True
    gates = 1

    def __init__(self, channels: int, units: int, seq_len: int, returns_sequence: bool):
        super().__init__((seq_len, channels), (seq_len, units) if returns_sequence else (units,))
        self.channels, self.units, self.seq_len = channels, units, seq_len
        self.returns_sequence = returns_sequence

    @classmethod
    def from_config(cls, spec, in_shape, net, ends_sequence=False):
        return cls(in_shape[-1], spec.units, in_shape[0], not ends_sequence)

    @property
    def params(self) -> tuple:
        width = self.gates * self.units
        return (ParamSpec("W_x", (self.channels, width), WEIGHT),
                ParamSpec("W_h", (self.units, width), WEIGHT),
                ParamSpec("b", (width,), BIAS))

    def initialize(self, params, rng, net) -> None:
        H = self.units
        for g in range(self.gates):  # gate by gate: W_x's block, then W_h's
            params["W_x"][:, g * H:(g + 1) * H] = INITS[net.init].sample(rng, self.channels, H, net.init_gain)
            params["W_h"][:, g * H:(g + 1) * H] = recurrent_block(rng, net.recurrent_init, H, net.init_gain)
        params["b"][...] = net.bias_init

    def forward(self, x, params, mode):
        steps = self.forward_steps(x, params, mode)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def backward(self, dz, cache, params, grads, need_dx=True):
        steps = self.backward_steps(dz, cache, params, grads, need_dx)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def forward_steps(self, x, params, mode):
        """One phase per time step t = 1..T (yields {t, x_t, h_t} for all but the last, whose
        phase the network describes)."""
        B, T = x.shape[0], self.seq_len
        projected = x @ params["W_x"] + params["b"]  # (B, T, G·H): every step's input term at once
        cache = self.start(B, T, x.dtype)
        cache.x = x
        h = np.zeros((B, self.units), dtype=x.dtype)
        for t in range(T):
            h = self.step(t, projected[:, t], h, params["W_h"], cache)
            if t < T - 1:
                yield {"t": t + 1, "x": x[:, t], "h": h}
        return (cache.h if self.returns_sequence else h), cache

    def backward_steps(self, dz, cache, params, grads, need_dx=True):
        """Back through time, one phase per step t = T..1 (yields {t, dh_t, dpre_t} for all but the
        last, t = 1, whose phase the network describes);
        fills grads and keeps every ‖dL/dh_t‖ over the batch in cache.signal_by_time (T,)."""
        T, W_h = self.seq_len, params["W_h"]
        dh_out = dz if self.returns_sequence else None  # many-to-one: the loss reads h_T only
        carry = np.zeros_like(cache.h[:, 0]) if self.returns_sequence else dz  # dL/dh_t from t+1
        self.begin_backward(cache)
        dpre = np.empty(cache.h.shape[:2] + (self.gates * self.units,), dtype=cache.h.dtype)
        dh_by_time = np.empty_like(cache.h)
        for t in reversed(range(T)):
            dh = dh_by_time[:, t]
            if dh_out is not None:
                np.add(carry, dh_out[:, t], out=dh)
            else:
                dh[...] = carry
            dpre[:, t] = self.step_backward(t, dh, cache)
            carry = dpre[:, t] @ W_h.T
            if t > 0:
                yield {"t": t + 1, "dh": dh, "dpre": dpre[:, t]}
        x, h_before = cache.x, self.previous_states(cache)
        flat = dpre.reshape(-1, dpre.shape[-1])
        np.matmul(x.reshape(-1, self.channels).T, flat, out=grads["W_x"])
        np.matmul(h_before.reshape(-1, self.units).T, flat, out=grads["W_h"])
        np.add.reduce(flat, axis=0, out=grads["b"])
        cache.dpre, cache.dh = dpre, dh_by_time
        cache.signal_by_time = np.sqrt(np.einsum("bth,bth->t", dh_by_time, dh_by_time, dtype=np.float64))
        return dpre @ params["W_x"].T if need_dx else None

    @property
    def last_phases(self) -> tuple:
        """The time step of the phase the network describes itself: forward t = T, backward t = 1."""
        return self.seq_len, 1

    def backward_done(self, cache) -> bool:
        return cache.dpre is not None

    def per_example(self, key, index, cache, dz):
        """Summed over time: dL/dθ[index] = (1/B)·Σ_b Σ_t a_bt·δ_bt, δ = B·dL/d(pre-activation) of
        the column the element feeds and a its input at t (x_t for W_x, h_{t−1} for W_h, 1 for b);
        terms (B,) per example and `time` {a, delta, terms} (B, T)."""
        batch, column = cache.dpre.shape[0], index[-1]
        delta = cache.dpre[:, :, column].astype(np.float64) * batch
        if key == "b":
            a = np.ones_like(delta)
        else:
            inputs = cache.x if key == "W_x" else self.previous_states(cache)
            a = inputs[:, :, index[0]].astype(np.float64)
        by_time = a * delta
        return {"a": None, "delta": None, "terms": by_time.sum(axis=1),
                "time": {"a": a, "delta": delta, "terms": by_time}}

    def example_through_time(self, cache, example: int) -> dict:
        """One example's h_t and dL/dh_t for t = 1..T (T, H) each (dh None before the backward)."""
        return {"h": cache.h[example].copy(),
                "dh": None if cache.dh is None else cache.dh[example].copy()}

    def spectrum_blocks(self, params) -> dict:
        """The H×H blocks of W_h whose eigenvalues tell how the gradient fares through time, by name."""
        return {"W_h": params["W_h"]}

    def begin_backward(self, cache) -> None:
        """Reset what the backward carries through time besides dL/dh (the LSTM's dL/dc)."""

    @staticmethod
    def previous_states(cache):
        """h_{t-1} for t = 1..T, h_0 = 0: (B, T, H)."""
        before = np.zeros_like(cache.h)
        before[:, 1:] = cache.h[:, :-1]
        return before

    def settings(self) -> dict:
        return {"in_shape": list(self.in_shape), "out_shape": list(self.out_shape),
                "units": self.units, "returns_sequence": self.returns_sequence}
