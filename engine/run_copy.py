"""What the instruments read of a run, copied on the training thread so that another thread can
measure it while the run trains on: the trainer's read-only names the Probe, the gradient check,
the loss along the step and the sharpness read, with every array training changes in place
copied (θ, the next batch, the last step's gradient buffer)."""
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class CopiedStore:
    """The run's parameters as they were: theta (P,)."""
    theta: np.ndarray

    @property
    def size(self) -> int:
        return self.theta.size


@dataclass(frozen=True)
class CopiedNet:
    store: CopiedStore


@dataclass(frozen=True)
class CopiedSampler:
    """The next batch as it was: (≤ batch_size,) example indices."""
    next_batch: np.ndarray

    def peek(self, batch_size: int) -> np.ndarray:
        """The first batch_size examples of that batch: (≤ batch_size,)."""
        return self.next_batch[:batch_size]


class RunCopy:
    """A trainer's state as the instruments read it, frozen at construction."""

    def __init__(self, trainer):
        self.config, self.data, self.loss = trainer.config, trainer.data, trainer.loss  # replaced, never changed
        self.entries, self.steps, self.mid_step = trainer.entries, trainer.steps, trainer.mid_step
        self.net = CopiedNet(CopiedStore(trainer.net.store.theta.copy()))
        self.sampler = CopiedSampler(trainer.sampler.peek(trainer.config.training.batch_size).copy())
        values, record = trainer.last_step, trainer.last_record
        # the gradient lives in the store's buffer, which the next backward overwrites
        self.last_step = None if values is None else replace(values, grad=values.grad.copy())
        self.last_record = None if record is None else replace(record, batch=record.batch.copy())
