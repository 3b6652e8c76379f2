"""Minibatch order: each epoch a fresh seeded permutation of the training set, cut in turn."""
import numpy as np


class BatchSampler:
    """Consecutive slices of a per-epoch permutation; `peek` reads, `advance` moves on."""

    def __init__(self, n_train: int, seed: int, stream: int, drop_single: bool):
        self.n_train, self.seed, self.stream = n_train, seed, stream
        self.drop_single = drop_single  # batch norm cannot use a batch of one
        self.epoch, self.position = 0, 0
        self.order = self._permutation(0)

    def _permutation(self, epoch: int) -> np.ndarray:
        """The order of the training set in this epoch, from its own seeded stream: (n_train,)."""
        return np.random.default_rng([self.seed, self.stream, epoch]).permutation(self.n_train)

    def peek(self, batch_size: int) -> np.ndarray:
        """Indices of the next batch, without moving on: (≤ batch_size,)."""
        return self.order[self.position:self.position + batch_size]

    def restart(self, n_train: int) -> None:
        """A training set of `n_train` examples from now on: the epoch in progress starts over on it."""
        self.n_train, self.position = n_train, 0
        self.order = self._permutation(self.epoch)

    def advance(self, used: int) -> None:
        """Move past a batch of `used` examples, starting the next epoch when this one is spent."""
        self.position += used
        remaining = self.n_train - self.position
        if remaining == 0 or (remaining == 1 and self.drop_single):
            self.epoch += 1
            self.position = 0
            self.order = self._permutation(self.epoch)
