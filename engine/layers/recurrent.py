"""What the recurrent kinds share: inputs (B, T, C), a loop over time forward and back through
time backward, the weights W_x (C, G·H), W_h (H, G·H) and b (G·H,) for G gate blocks, and how
they start (W_x from `init`, each H×H block of W_h from `recurrent_init`)."""
from dataclasses import dataclass

import numpy as np

from ..inits import INITS
from .base import BIAS, WEIGHT, Layer, ParamSpec
from .buffers import Buffers

IDENTITY = "identity"  # recurrent_init g·I (Le, Jaitly & Hinton's IRNN), rnn only


@dataclass
class RecurrentCache:
    """What every recurrent forward keeps, time-major so that each time step's slice is contiguous:
    every h_t `states` (T, B, H); the backward adds every dL/dh_t `state_grads` (T, B, H), the
    pre-activation gradients `pre_grads` (T, B, G·H) and ‖dL/dh_t‖ by time (T,). The input x
    (B, T, C) is kept as given, and h, dh, dpre are batch-major views (B, T, ·) of the others."""
    x: np.ndarray = None
    states: np.ndarray = None
    state_grads: np.ndarray = None
    pre_grads: np.ndarray = None
    signal_by_time: np.ndarray = None

    @property
    def h(self):
        """Every h_t, batch-major: (B, T, H)."""
        return self.states.transpose(1, 0, 2)

    @property
    def dh(self):
        """Every dL/dh_t, batch-major (B, T, H); None before the backward."""
        return None if self.state_grads is None else self.state_grads.transpose(1, 0, 2)

    @property
    def dpre(self):
        """Every dL/d(pre-activation), batch-major (B, T, G·H); None before the backward."""
        return None if self.pre_grads is None else self.pre_grads.transpose(1, 0, 2)


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
        self.buffers = Buffers()  # a training step's arrays, reused once the step before lets go of them

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
        B, T, train = x.shape[0], self.seq_len, mode == "train"
        # Training keeps every step's arrays; an evaluation keeps no cache, so one step's memory
        # serves every t (and h_t only when the next layer reads them all).
        by_time = self.buffers.empty if train else self.buffers.one_step
        cache = self.start(B, T, x.dtype, by_time)
        cache.x = x
        keep_states = self.buffers.empty if self.returns_sequence else by_time
        cache.states = keep_states((T, B, self.units), x.dtype)
        pre = self.pre_activations(cache, by_time)  # (T, B, G·H): each step's, its input term first
        W_x, b, W_h = self.step_weights(params)
        if train:
            self.input_terms(x, W_x, b, pre)  # every step's at once
        recurrent_terms = self.buffers.empty(pre.shape[1:], x.dtype)  # h_{t−1} @ W_h (B, G·H)
        for t in range(T):
            if not train:
                self.input_terms(x[:, t:t + 1], W_x, b, pre[t:t + 1])
            if t:  # none at t = 1: h_0 = 0
                pre[t] += np.matmul(h, W_h, out=recurrent_terms)
            h = self.step(t, pre[t], cache)
            if t < T - 1:
                yield {"t": t + 1, "x": x[:, t], "h": h}
        return (np.ascontiguousarray(cache.h) if self.returns_sequence else h), cache

    def start(self, batch: int, steps: int, dtype, by_time) -> RecurrentCache:
        """A forward's cache before its states, arrays through time (T, ...) taken from `by_time`."""
        return RecurrentCache()

    def pre_activations(self, cache, by_time):
        """Where the forward sums each step's pre-activation: (T, B, G·H)."""
        return by_time(cache.states.shape[:2] + (self.gates * self.units,), cache.states.dtype)

    @staticmethod
    def input_terms(x, W_x, b, out) -> None:
        """Each step's input term x_t @ W_x + b, from x (B, T', C), time-major into out (T', B, G·H)."""
        by_time = x.transpose(1, 0, 2)
        if x.shape[-1] == 1:  # one channel: an outer product, for which numpy's matmul takes a slow loop
            np.multiply(by_time, W_x, out=out)
        else:
            np.matmul(by_time, W_x, out=out)
        out += b

    def step_weights(self, params) -> tuple:
        """W_x (C, G·H), b (G·H,) and W_h (H, G·H) as the steps read them."""
        return params["W_x"], params["b"], params["W_h"]

    def backward_steps(self, dz, cache, params, grads, need_dx=True):
        """Back through time, one phase per step t = T..1 (yields {t, dh_t, dpre_t} for all but the
        last, t = 1, whose phase the network describes); fills grads and keeps every ‖dL/dh_t‖
        over the batch in cache.signal_by_time (T,)."""
        T, W_h_T, width = self.seq_len, params["W_h"].T, self.gates * self.units
        states, empty = cache.states, self.buffers.empty
        dh_out = dz if self.returns_sequence else None  # many-to-one: the loss reads h_T only
        self.begin_backward(cache, empty)
        dpre = empty(states.shape[:2] + (width,), states.dtype)
        dh_by_time = empty(states.shape, states.dtype)  # dL/dh_t: what comes back from t + 1, plus the loss's at t
        dh_by_time[T - 1] = dz[:, T - 1] if self.returns_sequence else dz
        for t in reversed(range(T)):
            self.step_backward(t, dh_by_time[t], cache, dpre[t])
            if t > 0:
                np.matmul(dpre[t], W_h_T, out=dh_by_time[t - 1])
                if dh_out is not None:
                    dh_by_time[t - 1] += dh_out[:, t - 1]
                yield {"t": t + 1, "dh": dh_by_time[t], "dpre": dpre[t]}
        cache.pre_grads, cache.state_grads = dpre, dh_by_time
        flat = empty(cache.x.shape[:2] + (width,), dpre.dtype)  # batch-major, as (b, t) rows
        np.copyto(flat, cache.dpre)
        flat = flat.reshape(-1, width)
        np.matmul(cache.x.reshape(-1, self.channels).T, flat, out=grads["W_x"])
        np.matmul(self.previous_states(cache, empty).reshape(-1, self.units).T, flat, out=grads["W_h"])
        np.add.reduce(flat, axis=0, out=grads["b"])
        squares = dh_by_time.reshape(T, -1)
        cache.signal_by_time = np.sqrt(np.einsum("tk,tk->t", squares, squares, dtype=np.float64))
        return (flat @ params["W_x"].T).reshape(cache.x.shape) if need_dx else None

    @property
    def last_phases(self) -> tuple:
        """The time step of the phase the network describes itself: forward t = T, backward t = 1."""
        return self.seq_len, 1

    def backward_done(self, cache) -> bool:
        return cache.pre_grads is not None

    def per_example(self, key, index, cache, dz):
        """Summed over time: dL/dθ[index] = (1/B)·Σ_b Σ_t a_bt·δ_bt, δ = B·dL/d(pre-activation) of
        the column the element feeds and a its input at t (x_t for W_x, h_{t−1} for W_h, 1 for b);
        terms (B,) per example and `time` {a, delta, terms} (B, T)."""
        batch, column = cache.x.shape[0], index[-1]
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
        return {"h": cache.states[:, example].copy(),
                "dh": None if cache.state_grads is None else cache.state_grads[:, example].copy()}

    def spectrum_blocks(self, params) -> dict:
        """The H×H blocks of W_h whose eigenvalues tell how the gradient fares through time, by name."""
        return {"W_h": params["W_h"]}

    def begin_backward(self, cache, empty) -> None:
        """Reset what the backward carries through time besides dL/dh (the LSTM's dL/dc), its
        arrays taken from `empty`."""

    @staticmethod
    def previous_states(cache, empty=np.empty):
        """h_{t-1} for t = 1..T, h_0 = 0, batch-major: (B, T, H)."""
        h = cache.h
        before = empty(h.shape, h.dtype)
        before[:, 0] = 0
        before[:, 1:] = h[:, :-1]
        return before

    def settings(self) -> dict:
        return {"in_shape": list(self.in_shape), "out_shape": list(self.out_shape),
                "units": self.units, "returns_sequence": self.returns_sequence}
