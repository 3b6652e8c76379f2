"""Strict JSON bytes for traces and frames: NumPy arrays natively, non-finite numbers as null."""
import numpy as np
import orjson


def _default(obj):
    """orjson fallback: non-contiguous arrays and NumPy scalars."""
    if isinstance(obj, np.ndarray):
        return np.ascontiguousarray(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot encode {type(obj).__name__}")


def encode(document) -> bytes:
    """Strict JSON bytes: NumPy arrays natively, every non-finite number as null."""
    return orjson.dumps(document, default=_default, option=orjson.OPT_SERIALIZE_NUMPY)
