"""µs per training step, bare and with every-step statistics, and the recorder's bytes.

Runs on one core (the engine is single-threaded; BLAS is pinned to one thread below).
`python bench/engine.py [--json] [--quick]`
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

# The script's own folder would shadow the `engine` package: put the repository root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import report  # noqa: E402

from engine import Trainer  # noqa: E402
from engine.data import Data  # noqa: E402

QUICK = "--quick" in sys.argv
PLAYGROUND = {}
DEEP = {"dataset": {"name": "circle"},
        "network": {"hidden": [{"units": 32, "activation": "tanh"}] * 10},
        "training": {"batch_size": 32}}
LSTM = {"dataset": {"name": "remember_first", "seq_len": 20, "n_samples": 1000},
        "network": {"hidden": [{"kind": "lstm", "units": 16}]},
        "training": {"batch_size": 32}}
DIGITS_CNN = {"dataset": {"name": "digits"},
              "network": {"hidden": [{"kind": "conv2d", "channels": 8, "kernel": 3, "padding": 1,
                                      "activation": "relu"}, {"kind": "max_pool", "size": 2}]},
              "training": {"loss": "cross_entropy", "batch_size": 32}}
MNIST_LIKE = {"dataset": {"name": "spiral", "n_classes": 5, "n_samples": 4096},
              "network": {"hidden": [{"units": 256, "activation": "relu"}] * 2, "init": "he_normal"},
              "training": {"loss": "cross_entropy", "batch_size": 128, "dtype": "float32",
                           "learning_rate": 0.01}}


def random_784(n: int = 2048) -> Data:
    """Random 784-input, 10-class data shaped like MNIST (no dataset here has 784 inputs)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2 * n, 784)).astype(np.float32)
    y = rng.integers(0, 10, size=2 * n)
    return Data(task="classification", n_classes=10, points_train=x[:n, :2], points_test=x[n:, :2],
                x_train=x[:n], y_train=y[:n], x_test=x[n:], y_test=y[n:], features=["x1", "x2"],
                dtype=np.dtype(np.float32), shift=np.zeros(2), scale=np.ones(2))


def us_per_step(config, statistics: bool, steps: int, data=None) -> float:
    """Best of three timed runs, µs per step, after a warm-up."""
    trainer = Trainer(config, snapshot_every=0, statistics=statistics, data=data)
    trainer.run(max(steps // 10, 5))
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        trainer.run(steps)
        best = min(best, (time.perf_counter() - started) / steps * 1e6)
    return best


def recorder_bytes(steps: int) -> tuple[int, int]:
    """Bytes the recorder holds after `steps` deep-net steps (default caps), and its rows."""
    trainer = Trainer(DEEP)
    trainer.run(steps)
    return trainer.recorder.nbytes, trainer.recorder.rows


def main() -> None:
    nets = [("playground 2-4-2-1 tanh, batch 10", PLAYGROUND, 2000 if QUICK else 20000, None),
            ("deep 10x32 tanh, batch 32", DEEP, 500 if QUICK else 5000, None),
            ("lstm 16 units, seq_len 20, batch 32", LSTM, 200 if QUICK else 2000, None),
            ("digits cnn conv 8@3x3 pad 1 relu, 2x2 max pool, dense, batch 32", DIGITS_CNN,
             200 if QUICK else 2000, None),
            ("784-256-256-10 relu, batch 128, float32", MNIST_LIKE, 20 if QUICK else 200,
             random_784())]
    rows, figures = [], {}
    for name, config, steps, data in nets:
        bare = us_per_step(config, False, steps, data)
        stats = us_per_step(config, True, steps, data)
        rows.append((name, f"bare {bare:8.1f} µs", f"stats {stats:8.1f} µs",
                     f"{1e6 / stats:9,.0f} steps/s", f"stats cost {100 * (stats / bare - 1):5.1f}%"))
        figures[name] = {"bare_us": round(bare, 2), "stats_us": round(stats, 2),
                         "steps_per_s": round(1e6 / stats)}
    n = 10_000 if QUICK else 100_000
    held, kept = recorder_bytes(n)
    rows.append((f"recorder after {n:,} deep-net steps", f"{held / 2**20:.1f} MiB", f"{kept:,} rows"))
    figures["recorder_bytes"] = held
    report("bench/engine.py: µs per step (one core)", rows, figures)


if __name__ == "__main__":
    main()
