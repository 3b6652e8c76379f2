"""The UCI handwritten digits as scikit-learn ships them (engine/assets/README.md says where from
and under what licence), read with NumPy only."""
import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

DIGITS_FILE = Path(__file__).parent / "assets" / "digits.csv.gz"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"  # of the shipped file
DIGITS_COUNT, DIGITS_SIDE, DIGITS_LEVELS = 1797, 8, 16  # images, pixels a side, the largest pixel count


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """The file's rows: 64 pixels then the label, (1797, 65) uint8, read once per process."""
    with gzip.open(DIGITS_FILE, "rt") as lines:
        table = np.loadtxt(lines, delimiter=",", dtype=np.uint8)
    table.flags.writeable = False
    return table


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Every image in the file's order, pixels scaled to [0, 1]: (x (1797, 1, 8, 8) float64, y (1797,) int64)."""
    table = _table()
    x = table[:, :-1].reshape(-1, 1, DIGITS_SIDE, DIGITS_SIDE) / DIGITS_LEVELS
    return x, table[:, -1].astype(np.int64)
