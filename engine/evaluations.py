"""The full-set metrics on a schedule of steps: after every one of the first 64 steps, then 32
times per doubling of the step count, so that a run's curves are the same at any playback speed
and their points stay few (about 500 after a million steps)."""
import numpy as np

METRICS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")
PER_DOUBLING_LOG2 = 5  # 2**5 = 32 evaluations per doubling of the step count


def due(step: int) -> bool:
    """Whether the full-set metrics are taken after `step` (0: the run's start): every step below
    64, then every 2**(floor(log2 step) - 5) steps."""
    shift = step.bit_length() - 1 - PER_DOUBLING_LOG2
    return shift <= 0 or step % (1 << shift) == 0


class EvaluationLog:
    """The scheduled evaluations of one run: `step` and each of METRICS, oldest first (accuracies
    NaN on regression sets)."""

    def __init__(self):
        self.step = []
        self.values = {name: [] for name in METRICS}

    def __len__(self) -> int:
        return len(self.step)

    def record(self, step: int, metrics: dict) -> None:
        """Append the metrics `Training.evaluate` returned after `step`."""
        self.step.append(step)
        for name in METRICS:
            value = metrics[name]
            self.values[name].append(np.nan if value is None else value)

    def since(self, index: int) -> dict:
        """The evaluations from the `index`-th on: {step: (n,) int64, name: (n,) float64 ...}."""
        out = {"step": np.asarray(self.step[index:], dtype=np.int64)}
        out.update({name: np.asarray(v[index:], dtype=np.float64) for name, v in self.values.items()})
        return out
