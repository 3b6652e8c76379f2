"""A float64 copy of a run's network on one fixed batch, for the instruments: the loss and its
gradient at any parameter vector, without touching the run (its own entries, store and tapes;
no random draws, so dropout is off)."""
import numpy as np

from .losses import by_example
from .network import Network, build_entries


WORK_BUDGET = 5e8  # multiply-adds one instrument request may spend: well under a second on one core
ENTRY_OVERHEAD = 50_000  # an entry's Python and NumPy call overhead per pass, in multiply-adds
VECTOR_PASSES = 3  # passes over θ (P,) a pass makes besides the network: θ + α·Δθ, its copy in, a copy


def work_per_example(trainer) -> int:
    """About the multiply-adds of one example's forward pass: parameters × time steps for
    sequences; on images each layer's own count (a kernel works at every position)."""
    data = trainer.data
    if data.input_kind == "image":
        return sum(e.layer.multiply_adds() for e in trainer.entries)
    return trainer.net.store.size * (data.x_train.shape[1] if data.input_kind == "sequence" else 1)


def affordable(trainer, batch, passes: int) -> np.ndarray:
    """The first examples of batch (B,) whose `passes` forward passes (a backward counts two) fit
    in WORK_BUDGET: (≤ B,)."""
    spare = WORK_BUDGET / passes - _fixed_work(trainer)
    return np.asarray(batch)[:max(1, int(spare // work_per_example(trainer)))]


def _fixed_work(trainer) -> float:
    """A pass's work whatever its examples: call overheads and the passes over θ."""
    return len(trainer.entries) * ENTRY_OVERHEAD + VECTOR_PASSES * trainer.net.store.size


class InstrumentError(ValueError):
    """An instrument asked for what the run cannot give (no step yet, no such layer); `field`
    names the request's field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Probe:
    """The run's network rebuilt in float64 on examples `batch` of the training set."""

    def __init__(self, trainer, batch):
        data, config = trainer.data, trainer.config
        self.loss = trainer.loss
        self.batch = np.asarray(batch)
        self.x = data.x_train[self.batch].astype(np.float64)
        targets = data.y_train[self.batch]
        self.y = targets if self.loss.int_targets else targets.astype(np.float64)
        entries = build_entries(data.x_train.shape[1:], self.loss.outputs(data.n_classes), config.network,
                                many_to_one=data.input_kind == "sequence" and not data.many_to_many)
        self.net = Network(entries, config.network, np.random.default_rng(0), np.float64)
        self.theta = trainer.net.store.theta.astype(np.float64)  # the run's parameters now
        self.dropout = config.network.dropout > 0
        self.work = len(self.batch) * work_per_example(trainer) + _fixed_work(trainer)  # a pass's

    def loss_at(self, theta) -> float:
        """The batch's mean loss at parameters theta (P,), train mode (batch statistics)."""
        out, y = by_example(self._forward(theta), self.y)
        return float(self.loss.per_example(out, y).mean())

    def gradient_at(self, theta) -> tuple:
        """(loss, dL/dθ (P,), a new array) at parameters theta (P,), by backpropagation."""
        h = self._forward(theta)
        out, y = by_example(h, self.y)
        d = self.loss.backward(out, y).reshape(h.shape)
        for i in reversed(range(len(self.net.entries))):
            d = self.net.backward(i, d)
        return float(self.loss.per_example(out, y).mean()), self.net.store.grad.copy()

    def loss_nudged(self, j: int, h: float) -> tuple:
        """(the batch's mean loss, the size of what it was computed from: |loss| + the mean of each
        row's largest |output|) with element j of the run's θ moved by h, once the store holds that
        θ (after loss_at or gradient_at of self.theta): changed in place and put back."""
        store = self.net.store
        store.theta[j] = self.theta[j] + h
        try:
            out, y = by_example(self._forward(None), self.y)
            loss = float(self.loss.per_example(out, y).mean())
            return loss, abs(loss) + float(np.abs(out).max(axis=1).mean())
        finally:
            store.theta[j] = self.theta[j]

    def _forward(self, theta):
        """The network's output for the batch at parameters theta (P,) (None: as the store holds
        them), taped: (B, ...)."""
        if theta is not None:
            np.copyto(self.net.store.theta, theta)
        h = self.x
        for i in range(len(self.net.entries)):
            h = self.net.forward(i, h)
        return h

    def kink_pattern(self) -> np.ndarray:
        """Which units of a kinked activation (relu, leaky_relu) sat above 0 in the last forward,
        all of them in one bool vector (n,): a unit that flips between two forwards crossed the
        kink at 0."""
        parts = []
        for e, tape in zip(self.net.entries, self.net.tapes):
            if e.end is not None and e.end.activation.kinked:
                parts.append((tape.z > 0).ravel())
            nonlinearity = getattr(e.layer, "nonlinearity", None)  # a recurrent layer's own
            if nonlinearity is not None and nonlinearity.kinked:
                parts.append((tape.cache.h > 0).ravel())
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
