"""What a step and its phases leave behind: StepRecord, StepValues and PhaseRecord (and the
phases relayed as PhaseRecords)."""
from dataclasses import dataclass, field

import numpy as np

EXAMPLE = 0  # the batch example whose states the panels follow through time (detail and phases)


@dataclass
class StepRecord:
    """What one step did; `layers` holds stats.LAYER_STATS per entry: (n_entries, 10)."""
    step: int  # the step's number (steps done once it is applied)
    epoch: int  # epochs completed after it
    loss: float  # minibatch data loss before the update
    accuracy: float | None  # minibatch accuracy before the update (classification)
    batch: np.ndarray
    layers: np.ndarray
    clip_norm_before: float
    clip_norm_after: float
    applied: bool  # False: refused whole because something was not finite
    nonfinite: dict | None = None  # where the first non-finite value appeared
    through_time: np.ndarray | None = None  # the recurrent entries' (R, T + 1), time_stats.py


@dataclass
class StepValues:
    """The flat (P,) vectors one step computed and used: what explain reads once the step is done.

    `grad` (and `penalized`, `used` when no penalty or clipping made new vectors) is the store's
    gradient buffer, which only the next step's backward overwrites; while that step is in
    progress explain reads the step in progress instead, so these always belong together."""
    step: int
    applied: bool  # False: the update was proposed and refused
    grad: np.ndarray  # as backpropagated
    penalized: np.ndarray  # after l1/l2 (grad itself when no penalty is on)
    used: np.ndarray  # after clipping: what the optimizer read
    update: np.ndarray  # the Δθ proposed (applied only if `applied`)
    theta_before: np.ndarray
    state_before: dict  # the optimizer's {slot: (P,)} before the step
    state_after: dict  # ... and as the step proposed it
    t: int  # the optimizer's step count for this update


@dataclass
class PhaseRecord:
    """One phase of a step: what it computed, by name."""
    phase: str  # forward, loss, backward or update
    layer: int | None  # index into `layers`; None for loss and update
    step: int  # the step in progress
    tensors: dict = field(default_factory=dict)
    record: StepRecord | None = None  # on the update phase
    t: int | None = None  # the inner phase of a layer of several (a time step)
    through_time: dict | None = None  # a recurrent entry's phases: example_so_far


def example_so_far(net, i: int, phase: str, computed: list | None = None) -> dict | None:
    """Recurrent entry i's chosen example as the step in progress has computed it so far: {example,
    h (t, H): h_1..h_t going forward, every h_t going backward; dh: None going forward, (T − t + 1,
    H) dL/dh_t..dL/dh_T going backward}. `computed` lists the inner phases' columns (H,) in the
    order computed; without it the layer's pass is whole and its tape holds it. None for other kinds."""
    layer, cache = net.entries[i].layer, net.tapes[i].cache
    if not layer.recurrent:
        return None
    whole = layer.example_through_time(cache, EXAMPLE) if (computed is None or phase == "backward") else None
    if computed is None:
        return {"example": EXAMPLE, "h": whole["h"], "dh": whole["dh"]}
    if phase == "forward":
        return {"example": EXAMPLE, "h": np.stack(computed), "dh": None}
    return {"example": EXAMPLE, "h": whole["h"], "dh": np.stack(computed[::-1])}


def describe_forward(net, i: int, number: int) -> PhaseRecord:
    """Entry i's forward phase: its input x, the layer's own tensors, z, and a where its block ends."""
    tape = net.tapes[i]
    tensors = {"x": tape.x, **net.entries[i].layer.shown(tape.cache), "z": tape.z}
    if tape.a is not None:
        tensors["a"] = tape.a
    return PhaseRecord("forward", i, number, tensors, t=net.entries[i].layer.last_phases[0],
                       through_time=example_so_far(net, i, "forward"))


def describe_backward(net, i: int, number: int) -> PhaseRecord:
    """Entry i's backward phase: dL/da, dL/dz, dL/dx (where computed) and its parameters' gradients."""
    tape = net.tapes[i]
    tensors = {k: v for k, v in (("da", tape.da), ("dz", tape.dz), ("dx", tape.dx)) if v is not None}
    tensors.update({f"d{key}": grad.copy() for key, grad in net.grads[i].items()})
    return PhaseRecord("backward", i, number, tensors, t=net.entries[i].layer.last_phases[1],
                       through_time=example_so_far(net, i, "backward"))


def relay_phases(net, phase: str, i: int, number: int, steps):
    """Relay entry i's inner phases as PhaseRecords (with the `t` each names, and a recurrent
    entry's example so far); return what the layer returns."""
    computed = []  # a recurrent entry's example: h_t (forward) or dL/dh_t (backward), as computed
    state = "h" if phase == "forward" else "dh"
    while True:
        try:
            tensors = next(steps)
        except StopIteration as done:
            return done.value
        if state in tensors:
            computed.append(np.array(tensors[state][EXAMPLE]))
        yield PhaseRecord(phase, i, number, {k: v for k, v in tensors.items() if k != "t"}, t=tensors["t"],
                          through_time=example_so_far(net, i, phase, computed))
