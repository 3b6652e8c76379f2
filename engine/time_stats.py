"""Every step's statistics through time of the recurrent entries: ‖dL/dh_t‖ for t = 1..T as
backpropagation through time accumulated it (`signal_norm_by_time`) and ‖dL/dW_h‖
(`recurrent_grad_norm`), one row of T + 1 numbers per recurrent entry."""
import numpy as np

TIME_STATS = ("signal_norm_by_time", "recurrent_grad_norm")


class TimeLayout:
    """Which entries are recurrent and over how many time steps: how a step's (R, T + 1) block of
    statistics through time is laid out (columns 0..T−1 ‖dL/dh_t‖, column T ‖dL/dW_h‖)."""

    def __init__(self, entries):
        self.entries = [i for i, e in enumerate(entries) if e.layer.recurrent]
        self.seq_len = entries[self.entries[0]].layer.seq_len if self.entries else 0

    @property
    def shape(self) -> tuple:
        """(R, T + 1); (0, 1) for a net without recurrent entries."""
        return len(self.entries), self.seq_len + 1

    @property
    def width(self) -> int:
        """Numbers a step records: R·(T + 1)."""
        return len(self.entries) * (self.seq_len + 1)

    def split(self, block) -> tuple:
        """(..., R·(T + 1)) -> signal_norm_by_time (..., R, T) and recurrent_grad_norm (..., R)."""
        grid = np.asarray(block).reshape(block.shape[:-1] + self.shape)
        return grid[..., :self.seq_len], grid[..., self.seq_len]


def time_stats(net, layout: TimeLayout) -> np.ndarray:
    """The statistics through time of the step just backpropagated: (R, T + 1)."""
    out = np.empty(layout.shape)
    for r, i in enumerate(layout.entries):
        out[r, :layout.seq_len] = net.tapes[i].cache.signal_by_time
        grad = net.grads[i]["W_h"].ravel()
        total = float(np.dot(grad, grad))
        if not np.isfinite(total):
            total = float(np.dot(*(2 * [grad.astype(np.float64)])))
        out[r, layout.seq_len] = total ** 0.5
    return out
