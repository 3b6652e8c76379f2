"""Seconds each instrument takes (gradient check, loss along the step, sharpness), on Playground's
default net, the deep 10×32 tanh net and the largest points net the limits allow.

One core (BLAS pinned to one thread below). `python bench/instruments.py [--json] [--quick]`
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

# The script's own folder would shadow the `engine` package: put the repository root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import report  # noqa: E402

from engine import LIMITS, Trainer  # noqa: E402
from engine.gradcheck import gradcheck  # noqa: E402
from engine.loss_line import loss_line  # noqa: E402
from engine.sharpness import sharpness  # noqa: E402

QUICK = "--quick" in sys.argv
NETS = {
    "playground 2-4-2-1 tanh": {},
    "deep 10×32 tanh": {"network": {"hidden": [{"units": 32, "activation": "tanh"}] * 10},
                        "training": {"batch_size": 32}},
    "largest points net": {"dataset": {"name": "spiral", "n_samples": LIMITS["max_samples"]},
                           "network": {"hidden": [{"units": LIMITS["max_units"], "activation": "relu"}]
                                       * (4 if QUICK else LIMITS["max_hidden_layers"])},
                           "training": {"batch_size": LIMITS["max_batch_size"]}},
}


def seconds(call) -> float:
    """Wall seconds of one call."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    rows, figures = [("net", "gradcheck s", "line s", "sharpness s")], {}
    for name, config in NETS.items():
        trainer = Trainer(config, snapshot_every=0)
        trainer.run(2)
        timing = [seconds(lambda: gradcheck(trainer)), seconds(lambda: loss_line(trainer)),
                  seconds(lambda: sharpness(trainer))]
        rows.append((name, *(f"{t:.3f}" for t in timing)))
        figures[name] = dict(zip(("gradcheck", "line", "sharpness"), timing))
    report("instruments: seconds per request, one core", rows, figures)


if __name__ == "__main__":
    main()
