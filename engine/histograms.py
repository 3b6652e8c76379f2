"""Fixed-bin histograms that stay readable for tiny and huge values: linear and log-magnitude."""
import math

import numpy as np

BINS = 30
LOG_FLOOR = -30  # log10 of the smallest magnitude binned; smaller non-zeros join the first bin


def _counts(v, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """BINS equal bins over [low, high] (the last one closed): (edges (BINS+1,), counts (BINS,))."""
    if not math.isfinite(high - low):  # a span past the largest float: bin half-values
        edges, counts = _counts(v * 0.5, low * 0.5, high * 0.5)
        return edges * 2.0, counts
    scale = BINS / (high - low)
    index = np.minimum(((v - low) * scale).astype(np.intp), BINS - 1)
    return low + np.arange(BINS + 1) / scale, np.bincount(index, minlength=BINS)


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
    spread = high - low
    if spread == 0 or math.isfinite(spread) and not math.isfinite(BINS / spread):  # none or subnormal
        pad = max(0.5, abs(low) * 1e-9)  # ±0.5 would vanish in rounding past ~1e15
        low, high = low - pad, high + pad
    edges, counts = _counts(v, low, high)
    magnitude = np.abs(v)
    nonzero = magnitude[magnitude > 0]
    log_edges, log_counts = np.zeros(0), np.zeros(0, dtype=np.intp)
    if nonzero.size:
        logs = np.maximum(np.log10(nonzero), LOG_FLOOR)
        lo, hi = math.floor(float(logs.min())), math.ceil(float(logs.max()))
        log_edges, log_counts = _counts(logs, lo, max(hi, lo + 1))
    return {"edges": edges, "counts": counts, "log_edges": log_edges, "log_counts": log_counts,
            "zeros": int(v.size - nonzero.size), "nonfinite": n_nonfinite}
