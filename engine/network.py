"""The network: entries (a layer and what ends its block) walked forward and backward over one
flat parameter store, each entry's tape keeping what its last pass computed."""
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS
from .layers import LAYERS, WEIGHT, BatchNorm, BlockEnd, Dense, Layer
from .params import ParamStore


@dataclass
class Entry:
    """One entry of the trace's `layers`: a layer, and the end of its block if it is the last."""
    name: str
    layer: Layer
    activation: str | None  # the activation applied after this entry's block
    block_start: int  # index of the entry that starts this entry's block
    end: BlockEnd | None = None  # set on the last entry of each block
    param_names: dict = field(default_factory=dict)  # key -> name in the ParamStore: W -> dense1.W

    def __post_init__(self):
        self.param_names = {spec.key: f"{self.name}.{spec.key}" for spec in self.layer.params}

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def weighted(self) -> bool:
        """Whether the entry holds a weight tensor (penalized; what the health rules compare)."""
        return any(spec.role == WEIGHT for spec in self.layer.params)

    def describe(self) -> dict:
        """The entry as the trace's `layers` lists it."""
        return {"name": self.name, "kind": self.kind, **self.layer.settings(),
                "activation": self.activation}


@dataclass(slots=True)
class Tape:
    """What one entry's last forward and backward computed (None until computed)."""
    x: np.ndarray  # the input (B, *in_shape)
    z: np.ndarray | None = None  # the layer's output, before the block's end
    cache: object = None  # the layer's own cache
    a: np.ndarray | None = None  # act(z), on a block's last entry
    mask: np.ndarray | None = None  # the dropout mask, scaled
    da: np.ndarray | None = None  # dL/da, after the dropout mask
    dz: np.ndarray | None = None  # dL/dz
    dx: np.ndarray | None = None  # dL/dx, residual branch included


def build_entries(in_shape: tuple, n_outputs: int, net, many_to_one: bool = False) -> list[Entry]:
    """The trace's `layers` for a config and the data's per-example shape: each hidden layer's
    kind (dense followed by batch norm with `batch_norm`), then a dense output layer. In a
    many-to-one net the last recurrent layer passes on h_T only. A recurrent layer's activation
    acts inside its loop over time, so its block ends linear, as a pool's (it has none)."""
    entries, shape = [], tuple(in_shape)
    kinds = [LAYERS[spec.kind] for spec in net.hidden]
    last_recurrent = max((k for k, kind in enumerate(kinds, start=1) if kind.recurrent), default=None)
    for k, (spec, kind) in enumerate(zip(net.hidden, kinds), start=1):
        start = len(entries)
        layer = kind.from_config(spec, shape, net, ends_sequence=many_to_one and k == last_recurrent)
        entries.append(Entry(f"{layer.prefix or layer.kind}{k}", layer, spec.activation, start))
        if net.batch_norm and isinstance(layer, Dense):
            entries.append(Entry(f"bn{k}", BatchNorm(layer.fan_out), None, start))
        residual = net.residual and k > 1 and shape == layer.out_shape
        end = "linear" if kind.recurrent or spec.activation is None else spec.activation
        entries[-1].end = BlockEnd(ACTIVATIONS[end], residual, net.dropout)
        shape = layer.out_shape
    output = Entry(f"dense{len(net.hidden) + 1}", Dense.reading(shape, n_outputs), "linear", len(entries))
    output.end = BlockEnd(ACTIVATIONS["linear"])
    return entries + [output]


class Network:
    """Forward and backward one entry at a time, in training or evaluation mode."""

    def __init__(self, entries: list[Entry], net, rng, dtype):
        self.entries = entries
        self.store = ParamStore({name: spec.shape for e in entries
                                 for spec, name in zip(e.layer.params, e.param_names.values())}, dtype)
        self.dtype = np.dtype(dtype)
        self.weight_mask = self.store.mask(name for e in entries for spec, name
                                           in zip(e.layer.params, e.param_names.values())
                                           if spec.role == WEIGHT)
        p, g = self.store.params, self.store.grads
        self.params = [{key: p[name] for key, name in e.param_names.items()} for e in entries]
        self.grads = [{key: g[name] for key, name in e.param_names.items()} for e in entries]
        for e, params in zip(entries, self.params):  # draws from the init stream in entry order
            e.layer.initialize(params, rng, net)
        self.tapes = [Tape(None) for _ in entries]
        self.stateful = [i for i, e in enumerate(entries) if e.layer.keeps_statistics]
        # block start -> the entry whose residual add reads that block's input
        self.residual_end = {e.block_start: j for j, e in enumerate(entries)
                             if e.end is not None and e.end.residual}

    def forward(self, i: int, x, rng=None):
        """Train-mode forward of entry i, taped: (B, *in_shape) -> (B, *out_shape) for the next."""
        z, cache = self.entries[i].layer.forward(x, self.params[i], "train")
        return self._finish_forward(i, x, z, cache, rng)

    def forward_steps(self, i: int, x, rng=None):
        """forward(i, ...) as a generator of the layer's phases (yields all but the last)."""
        z, cache = yield from self.entries[i].layer.forward_steps(x, self.params[i], "train")
        return self._finish_forward(i, x, z, cache, rng)

    def _finish_forward(self, i: int, x, z, cache, rng):
        """Tape entry i's forward and apply its block's end: -> the entry's output."""
        e = self.entries[i]
        tape = self.tapes[i] = Tape(x, z, cache)
        if e.end is None:
            return z
        h, tape.a, tape.mask = e.end.forward(z, self.tapes[e.block_start].x, rng, self.dtype)
        return h

    def backward(self, i: int, dh):
        """Backward of entry i: dL/d(its output) -> dL/d(its input) (None for the first entry)."""
        dz = self._start_backward(i, dh)
        return self._finish_backward(i, self.entries[i].layer.backward(
            dz, self.tapes[i].cache, self.params[i], self.grads[i], need_dx=i > 0))

    def backward_steps(self, i: int, dh):
        """backward(i, ...) as a generator of the layer's phases (yields all but the last)."""
        dz = self._start_backward(i, dh)
        dx = yield from self.entries[i].layer.backward_steps(
            dz, self.tapes[i].cache, self.params[i], self.grads[i], need_dx=i > 0)
        return self._finish_backward(i, dx)

    def _start_backward(self, i: int, dh):
        """Through entry i's block end: dL/dh -> dL/dz, taped."""
        e, tape = self.entries[i], self.tapes[i]
        if e.end is None:
            tape.dz = dh
        else:
            tape.da, tape.dz = e.end.backward(dh, tape.z, tape.a, tape.mask)
        return tape.dz

    def _finish_backward(self, i: int, dx):
        """Add the residual branch to entry i's dx and tape it."""
        if i in self.residual_end:
            dx = dx + self.tapes[self.residual_end[i]].da
        self.tapes[i].dx = dx
        return dx

    def batch_statistics_finite(self) -> bool:
        """Whether every layer's batch statistics from the last forward are finite."""
        return all(self.entries[i].layer.statistics_finite(self.tapes[i].cache) for i in self.stateful)

    def commit(self) -> None:
        """Keep what the applied step changed besides parameters (batch norm's running stats)."""
        for i in self.stateful:
            self.entries[i].layer.commit(self.tapes[i].cache)

    def evaluate(self, x, keep_hidden=False):
        """Eval-mode forward, untaped: (N, *inputs) -> (output, [a per hidden block])."""
        hidden, h, block_input = [], x, x
        last = len(self.entries) - 1
        for i, e in enumerate(self.entries):
            if e.block_start == i:
                block_input = h
            h, _ = e.layer.forward(h, self.params[i], "eval")
            if e.end is None:
                continue
            h, a = e.end.evaluate(h, block_input)
            if keep_hidden and i < last:
                hidden.append(a)
        return h, hidden
