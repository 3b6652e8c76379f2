"""Fixed-bin histograms that stay readable for tiny and huge values: linear and log-magnitude."""
import math

import numpy as np

BINS = 30
LOG_FLOOR = -30  # log10 of the smallest magnitude binned; smaller non-zeros join the first bin


def histogram(values) -> dict:
    """{edges, counts} over the finite values' range, plus {log_edges, log_counts} of log10|v|,
    and the counts of exact zeros and of non-finite values."""
    v = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(v)
    n_nonfinite = int(v.size - np.count_nonzero(finite))
    if n_nonfinite:
        v = v[finite]
    if v.size == 0:
        return {"edges": [], "counts": [], "log_edges": [], "log_counts": [],
                "zeros": 0, "nonfinite": n_nonfinite}
    low, high = float(v.min()), float(v.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(v, bins=BINS, range=(low, high))
    magnitude = np.abs(v)
    nonzero = magnitude[magnitude > 0]
    log_counts, log_edges = np.zeros(0, dtype=np.int64), np.zeros(0)
    if nonzero.size:
        logs = np.maximum(np.log10(nonzero), LOG_FLOOR)
        lo, hi = math.floor(float(logs.min())), math.ceil(float(logs.max()))
        log_counts, log_edges = np.histogram(logs, bins=BINS, range=(lo, max(hi, lo + 1)))
    return {"edges": edges, "counts": counts, "log_edges": log_edges, "log_counts": log_counts,
            "zeros": int(v.size - nonzero.size), "nonfinite": n_nonfinite}
