"""The LSTM layer, torch's gate order i, f, g, o: c_t = σ(f)·c_{t-1} + σ(i)·tanh(g),
h_t = σ(o)·tanh(c_t); `forget_bias` is where the f slice of b starts."""
from dataclasses import dataclass

import numpy as np

from .recurrent import Recurrent, RecurrentCache


@dataclass
class LSTMCache(RecurrentCache):
    """Besides the states and gradients of every recurrent layer, time-major: c_t and tanh(c_t)
    (T, B, H), the activated gates i, f, g, o side by side (T, B, 4H), what begin_backward
    precomputes, and the buffers a step reuses (B, H)."""
    c: np.ndarray = None
    tanh_c: np.ndarray = None
    gates: np.ndarray = None
    derivative: np.ndarray = None
    partners: np.ndarray = None
    to_cell: np.ndarray = None
    dc: np.ndarray = None
    dc_carry: np.ndarray = None


class LSTM(Recurrent):
    kind = prefix = "lstm"
    description = "long short-term memory: gated cell state c_t carries the gradient through time"
    gates = 4
    activations = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.constants = {}  # dtype -> gate_constants(dtype), built once

    def gate_constants(self, dtype) -> tuple:
        """σ(x) = (1 + tanh(x/2)) / 2, so every gate is one tanh of its pre-activation times
        `scale`, then times `scale` plus `offset` (0.5 and 0.5 for i, f, o; 1 and 0 for g): (4H,) each."""
        if dtype not in self.constants:
            H = self.units
            self.constants[dtype] = (np.r_[np.full(2 * H, 0.5), np.ones(H), np.full(H, 0.5)].astype(dtype),
                                     np.r_[np.full(2 * H, 0.5), np.zeros(H), np.full(H, 0.5)].astype(dtype))
        return self.constants[dtype]

    def initialize(self, params, rng, net) -> None:
        super().initialize(params, rng, net)
        params["b"][self.units:2 * self.units] = net.forget_bias

    def start(self, batch, steps, dtype, by_time) -> LSTMCache:
        """Besides the states: c_t, tanh(c_t) and the gates through time, and a step's buffer."""
        shape = (steps, batch, self.units)
        self.gate_scale, self.gate_offset = self.gate_constants(np.dtype(dtype))
        return LSTMCache(c=by_time(shape, dtype), tanh_c=by_time(shape, dtype),
                         gates=by_time((steps, batch, 4 * self.units), dtype),
                         dc=self.buffers.empty(shape[1:], dtype))

    def pre_activations(self, cache, by_time):
        """The gates' own array: each step's pre-activations are activated in place."""
        return cache.gates

    def step_weights(self, params) -> tuple:
        """W_x, b and W_h already scaled for the gates' tanh, so that each step's pre-activation
        arrives scaled: the same numbers as scaling it (a scale of 0.5 or 1 is exact in floating
        point, whatever the summation order)."""
        scale = self.gate_scale
        return params["W_x"] * scale, params["b"] * scale, params["W_h"] * scale

    def step(self, t, gates, cache):
        """h_t from the step's scaled pre-activations (B, 4H), activated in place into the gates;
        keeps c_t and tanh(c_t)."""
        H = self.units
        np.tanh(gates, out=gates)
        gates *= self.gate_scale
        gates += self.gate_offset
        i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
        c = cache.c[t]
        if t:  # f·c_{t−1} first: in an evaluation c_t is c_{t−1}'s memory
            np.multiply(f, cache.c[t - 1], out=cache.dc)
            np.multiply(i, g, out=c)
            c += cache.dc
        else:
            np.multiply(i, g, out=c)
        tanh_c = np.tanh(c, out=cache.tanh_c[t])
        return np.multiply(o, tanh_c, out=cache.states[t])

    def begin_backward(self, cache, empty) -> None:
        """What every step of the backward reads, for all t at once: each gate's derivative at its
        pre-activation (T, B, 4H), what dL/dc_t scales into i, f and g (g, c_{t-1}, i: (T, B, 3, H))
        and dL/dh_t into dL/dc_t (o·(1 − tanh²c))."""
        H, gates = self.units, cache.gates
        derivative = cache.derivative = empty(gates.shape, gates.dtype)
        np.subtract(1.0, gates, out=derivative)
        derivative *= gates  # σ' = σ·(1 − σ)
        g, dg = gates[..., 2 * H:3 * H], derivative[..., 2 * H:3 * H]
        np.multiply(g, g, out=dg)
        np.subtract(1.0, dg, out=dg)  # tanh' = 1 − tanh²
        T, B = gates.shape[:2]
        partners = cache.partners = empty((T, B, 3, H), gates.dtype)
        partners[:, :, 0] = g
        partners[0, :, 1] = 0
        partners[1:, :, 1] = cache.c[:-1]
        partners[:, :, 2] = gates[..., :H]
        to_cell = cache.to_cell = empty(cache.tanh_c.shape, gates.dtype)
        np.multiply(cache.tanh_c, cache.tanh_c, out=to_cell)
        np.subtract(1.0, to_cell, out=to_cell)
        to_cell *= gates[..., 3 * H:]
        cache.dc_carry = np.zeros_like(cache.c[0])

    def step_backward(self, t, dh, cache, out) -> None:
        """dL/d(pre-activation gates) at step t into out (B, 4H), from dL/dh_t (B, H) and the
        dL/dc carried from t + 1."""
        B, H = dh.shape[0], self.units
        dc = np.multiply(dh, cache.to_cell[t], out=cache.dc)
        dc += cache.dc_carry
        blocks = out.reshape(B, 4, H)
        np.multiply(cache.partners[t], dc[:, None, :], out=blocks[:, :3])
        np.multiply(dh, cache.tanh_c[t], out=blocks[:, 3])
        np.multiply(dc, cache.gates[t, :, H:2 * H], out=cache.dc_carry)
        out *= cache.derivative[t]

    def example_through_time(self, cache, example: int) -> dict:
        """Besides h_t and dL/dh_t, the input, forget and output gates' activations (T, H) each."""
        H, gates = self.units, cache.gates[:, example]
        return {**super().example_through_time(cache, example),
                "gates": {name: gates[:, k * H:(k + 1) * H].copy() for k, name in ((0, "i"), (1, "f"), (3, "o"))}}

    def spectrum_blocks(self, params) -> dict:
        """Each gate's H×H block of W_h: i, f, g, o."""
        H, W_h = self.units, params["W_h"]
        return {name: W_h[:, k * H:(k + 1) * H] for k, name in enumerate("ifgo")}
