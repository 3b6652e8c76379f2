"""Bulk arrays inside JSON messages: base64 of float32 (or int32), or 8-bit quantized.

Encoded array: {"dtype": "float32"|"float64"|"int32", "shape": [...], "b64": "..."} (little-endian,
row-major; non-finite float32 values travel as IEEE NaN/±Inf bit patterns), or quantized
{"dtype": "uint8", "shape", "b64", "min", "max"}: value = min + q / 254 · (max − min), q = 255
marking a non-finite value.
"""
import base64

import numpy as np

QUANT_LEVELS = 254
QUANT_NONFINITE = 255


FLOAT32_MAX = float(np.finfo(np.float32).max)


def pack(array, dtype="float32") -> dict:
    """An array as base64 of little-endian float32 or int32: {dtype, shape, b64}; float values
    beyond float32's range travel as float64, so huge stays distinguishable from non-finite."""
    if dtype == "float32":
        values = np.asarray(array)
        finite = values[np.isfinite(values)]
        if finite.size and np.abs(finite).max() > FLOAT32_MAX:
            dtype = "float64"
    a = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}


def quantize(array) -> dict:
    """An array as 8-bit levels between its finite min and max: {dtype, shape, b64, min, max}."""
    a = np.asarray(array, dtype=np.float64)
    finite = np.isfinite(a)
    low = float(a[finite].min()) if finite.any() else 0.0
    high = float(a[finite].max()) if finite.any() else 0.0
    span = high - low if high > low else 1.0
    with np.errstate(invalid="ignore"):
        q = np.where(finite, np.rint((a - low) / span * QUANT_LEVELS), QUANT_NONFINITE)
    return {"dtype": "uint8", "shape": list(a.shape), "min": low, "max": high,
            "b64": base64.b64encode(q.astype(np.uint8).tobytes()).decode()}


def quantize_each(stack) -> list[dict]:
    """`quantize` of each array of a stack (k, ...), each between its own finite min and max,
    in a few array operations instead of k (256 neuron maps took 7 ms one by one)."""
    a = np.asarray(stack, dtype=np.float64)
    flat = a.reshape(len(a), -1)
    finite = np.isfinite(flat)
    any_finite = finite.any(axis=1)
    low = np.where(any_finite, np.where(finite, flat, np.inf).min(axis=1, initial=np.inf), 0.0)
    high = np.where(any_finite, np.where(finite, flat, -np.inf).max(axis=1, initial=-np.inf), 0.0)
    span = np.where(high > low, high - low, 1.0)
    with np.errstate(invalid="ignore"):
        q = np.where(finite, np.rint((flat - low[:, None]) / span[:, None] * QUANT_LEVELS), QUANT_NONFINITE)
    q = q.astype(np.uint8)
    shape = list(a.shape[1:])
    return [{"dtype": "uint8", "shape": shape, "min": float(lo), "max": float(hi),
             "b64": base64.b64encode(row.tobytes()).decode()} for lo, hi, row in zip(low, high, q)]


def unpack(encoded: dict) -> np.ndarray:
    """Decode `pack` or `quantize` output (for tests and tools): -> array of its shape."""
    raw = base64.b64decode(encoded["b64"])
    if encoded["dtype"] == "uint8":
        q = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
        values = encoded["min"] + q / QUANT_LEVELS * (encoded["max"] - encoded["min"])
        values[q == QUANT_NONFINITE] = np.nan
        return values.reshape(encoded["shape"])
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(raw, dtype=dtype).reshape(encoded["shape"])
