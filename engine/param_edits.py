"""A person's live edit of one parameter element (set a weight to a value): where it is, checked,
as its trace event records it, and applied to the network."""
import math

import numpy as np


class EditError(ValueError):
    """A parameter element that cannot be named or set; `field` is the part at fault (layer,
    param, index or value)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _integer(value) -> bool:
    """Whether value is an integer (and not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def locate(entries, layer, param, index) -> tuple:
    """(entry, spec, index tuple) of a parameter element (param None: the entry's first), or
    EditError saying what is wrong."""
    if not _integer(layer) or not 0 <= layer < len(entries):
        raise EditError("layer", f"there is no layer {layer!r}; the network has {len(entries)}")
    entry = entries[layer]
    specs = {spec.key: spec for spec in entry.layer.params}
    key = param if param is not None else next(iter(specs), None)
    if key not in specs:
        raise EditError("param", f"{entry.name} has no parameter {param!r}; it has {', '.join(specs) or 'none'}")
    shape = specs[key].shape
    if not isinstance(index, (list, tuple)) or not all(_integer(k) for k in index):
        raise EditError("index", f"the index must be a list of integers (got {index!r})")
    index = tuple(int(k) for k in index)
    if len(index) != len(shape) or not all(0 <= k < n for k, n in zip(index, shape)):
        raise EditError("index", f"{entry.name}.{key} has shape ({', '.join(map(str, shape))}); "
                                 f"no element at ({', '.join(map(str, index))})")
    return entry, specs[key], index


def checked_edit(entries, dtype, layer, param, index, value) -> dict:
    """The edit as its event records it, {layer, param, index, value}, once every part names an
    element and the value is a finite number that the run's precision (dtype) holds."""
    entry, spec, index = locate(entries, layer, param, index)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EditError("value", f"{entry.name}.{spec.key}[{', '.join(map(str, index))}] must be set to a "
                                 f"finite number (got {value!r})")
    with np.errstate(over="ignore"):
        if not np.isfinite(np.dtype(dtype).type(value)):
            raise EditError("value", f"{value!r} overflows {np.dtype(dtype).name}, the run's precision")
    return {"layer": layer, "param": spec.key, "index": list(index), "value": float(value)}


def apply_edit(net, edit: dict, step: int) -> dict:
    """Write a checked edit's value into the network's parameter; returns its event at `step`."""
    net.params[edit["layer"]][edit["param"]][tuple(edit["index"])] = edit["value"]
    return {"step": step, "set_param": edit}
