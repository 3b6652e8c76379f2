"""The layer protocol: what every kind of layer declares and computes, and its parameter specs."""
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

WEIGHT, SCALE, BIAS = "weight", "scale", "bias"  # parameter roles


@dataclass(frozen=True)
class ParamSpec:
    """One parameter tensor of a layer: its key (`W`), shape and role.

    Roles: `weight` (penalized by l1/l2, counted in grad_norm and weight_norm), `scale` (counted
    there too, never penalized: batch norm's γ) and `bias` (counted in bias_grad_norm)."""
    key: str
    shape: tuple
    role: str

    @property
    def primary(self) -> bool:
        """Whether the tensor counts in grad_norm, weight_norm and the update scalars."""
        return self.role != BIAS


class Layer(ABC):
    """A kind of layer: parameters in order, a forward and a backward side by side.

    `forward(x, params, mode)` -> (z, cache) with `mode` "train" or "eval" (eval keeps no cache);
    `backward(dz, cache, params, grads, need_dx)` fills `grads` (same keys as `params`) and
    returns dx. Both work on the batch axis first: x (B, *in_shape) -> z (B, *out_shape)."""
    kind = ""
    description = ""  # one line for the catalog
    prefix = ""  # entry names are prefix + block number: dense1, bn1 (the kind when empty)
    in_hidden = True  # may be named by a layer of network.hidden (batch norm is an option instead)
    keeps_statistics = False  # whether a training step changes state besides parameters
    units_axis = -1  # the axis of z that holds the layer's units (for activation statistics)
    recurrent = False  # runs over time: needs sequence data
    image = False  # slides over an image's rows and columns: needs image data
    config_fields = {"units": None}  # the network.hidden fields it reads, with their defaults (None: the field's)
    activations = None  # what a hidden layer of this kind may name: None any, () none

    def __init__(self, in_shape: tuple, out_shape: tuple):
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)

    @classmethod
    def from_config(cls, spec, in_shape: tuple, net, ends_sequence: bool = False) -> "Layer":
        """The layer a `network.hidden` entry describes, reading in_shape (per example); a kind
        that only follows another (batch norm) is built by the network instead. `ends_sequence`:
        the last recurrent layer of a many-to-one net, which passes on h_T only."""
        raise TypeError(f"a {cls.kind} layer cannot be named in network.hidden")

    @property
    def params(self) -> tuple:
        """The layer's ParamSpecs, in the order they sit in the flat buffers."""
        return ()

    def initialize(self, params: dict, rng, net) -> None:
        """Fill the parameter views from the init stream and the network config."""

    @abstractmethod
    def forward(self, x, params: dict, mode: str):
        """(B, *in_shape) -> ((B, *out_shape), cache)."""

    @abstractmethod
    def backward(self, dz, cache, params: dict, grads: dict, need_dx: bool = True):
        """Fill grads from dz (B, *out_shape); return dx (B, *in_shape), or None without need_dx."""

    def forward_steps(self, x, params: dict, mode: str):
        """The forward as a generator of phases: yields each phase's tensors before the last
        phase (a one-phase kind yields nothing) and returns (z, cache), as forward does."""
        yield from ()
        return self.forward(x, params, mode)

    def backward_steps(self, dz, cache, params: dict, grads: dict, need_dx: bool = True):
        """The backward as a generator of phases, as forward_steps; returns dx."""
        yield from ()
        return self.backward(dz, cache, params, grads, need_dx)

    last_phases = (None, None)  # the time step of a kind's last forward and backward phase, if it has them

    def backward_done(self, cache) -> bool:
        """Whether the backward has written every gradient (a kind of several phases may be midway)."""
        return True

    def statistics_finite(self, cache) -> bool:
        """Whether the batch statistics the step would keep are finite (with keeps_statistics)."""
        return True

    def commit(self, cache) -> None:
        """Keep what an applied step changes besides parameters (with keeps_statistics)."""

    def forward_checks(self, cache) -> dict:
        """Intermediate tensors to check for non-finite values, in the order they were computed."""
        return {}

    def shown(self, cache) -> dict:
        """Tensors a forward phase shows besides x and z, by name."""
        return {}

    def other_axes(self, ndim: int) -> tuple:
        """The axes of an activation (B, *out_shape) other than the units': what a per-unit
        statistic reduces over."""
        units = self.units_axis % ndim
        return tuple(k for k in range(ndim) if k != units)

    def per_example(self, key: str, index: tuple, cache, dz) -> dict | None:
        """dL/dθ[index] as the batch mean of per-example terms, from the cache and dz (B, ...):
        {a (B,), delta (B,), terms (B,)}, terms = a·delta (a and delta None where it does not
        factor so); None for a kind that does not write its gradients out."""
        return None

    def multiply_adds(self) -> int:
        """About one example's forward multiply-adds (what an instrument's work budget counts):
        its parameters' count, each used once."""
        return sum(int(np.prod(spec.shape)) for spec in self.params)

    def settings(self) -> dict:
        """The layer's own fields in the trace's `layers` entry."""
        return {"in_shape": list(self.in_shape), "out_shape": list(self.out_shape)}

    def buffers(self) -> dict:
        """State kept besides parameters (batch norm's running statistics), by name."""
        return {}


def factored(a, delta) -> dict:
    """Per-example terms a·delta, all as float64 (B,)."""
    a, delta = a.astype(np.float64), delta.astype(np.float64)
    return {"a": a, "delta": delta, "terms": a * delta}
