"""Arrays a layer hands out again from step to step once nothing refers to them: a step's large
arrays, each taken fresh, cost fresh pages from the operating system (one page fault per 4 KiB,
about a fifth of an LSTM bench step)."""
import math
import sys

import numpy as np

FREE = 3  # references to a kept array nobody uses: the list, the loop's name, getrefcount's argument
MOST_BYTES = 4 << 20  # larger arrays are taken fresh each time, so that a layer keeps little memory
MOST_OF_A_SHAPE = 8  # beyond these, held elsewhere (a phase record, a copy of the run), take fresh


class Buffers:
    """Arrays by shape and dtype; one is handed out again only when no cache, view or caller holds
    it any more (its reference count says so), so a reused array never changes under anyone."""

    def __init__(self):
        self.kept = {}  # (shape, dtype) -> [arrays]

    def empty(self, shape: tuple, dtype) -> np.ndarray:
        """An array of `shape` whose values are undefined, as np.empty's, that no one else holds."""
        kept = self.kept.get((shape, dtype))
        if kept is None:
            if math.prod(shape) * np.dtype(dtype).itemsize > MOST_BYTES:
                return np.empty(shape, dtype)
            kept = self.kept[shape, dtype] = []
        for array in kept:
            if sys.getrefcount(array) == FREE:
                return array
        array = np.empty(shape, dtype)
        if len(kept) < MOST_OF_A_SHAPE:
            kept.append(array)
        return array

    def one_step(self, shape: tuple, dtype) -> np.ndarray:
        """A (T, ...) array whose every time step is the same memory, one kept (...) array: for a
        pass that needs only the step it is at."""
        step = self.empty(shape[1:], dtype)
        return np.lib.stride_tricks.as_strided(step, shape, (0,) + step.strides)
