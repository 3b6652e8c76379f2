"""Reading a trace file back: every part checked, errors that say what is wrong and where."""
import numpy as np
import orjson

from .config import ConfigError, merge, validate_config
from .losses import LOSSES
from .quote import quote
from .data import input_shape, target_shape
from .network import build_entries
from .param_edits import EditError, checked_edit
from .stats import LAYER_STATS
from .trace_export import FORMAT, VERSION

MAX_TRACE_BYTES = 256 * 2**20
MAX_STEPS = 2_000_000
EDIT_KEYS = {"layer", "param", "index", "value"}


class TraceError(ValueError):
    """A trace rejected, with the JSON path of the part at fault."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


def _array(value, where, shape=None, integer=False) -> np.ndarray:
    """A numeric array from nested lists (null read as NaN), checked against an expected shape."""
    try:
        array = np.array(value, dtype=np.float64 if not integer else np.int64)
    except (TypeError, ValueError, OverflowError):
        raise TraceError(where, "must be a rectangular array of numbers (within range)") from None
    if shape is not None and array.shape != tuple(shape):
        raise TraceError(where, f"has shape {list(array.shape)}, expected {list(shape)}")
    return array


def _within(where: str, field: str) -> str:
    """The path of a config error's field inside the trace: `config.network.hidden`, `config["a.b"]`."""
    return where if not field else f"{where}{field}" if field.startswith("[") else f"{where}.{field}"


JSON_KINDS = {dict: "an object", list: "a list", int: "an integer"}


def _require(obj, key, kind, where):
    """obj[key], checked to be of the JSON kind given (dict, list or int)."""
    if not isinstance(obj, dict) or key not in obj:
        raise TraceError(where, f"missing '{key}'")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TraceError(f"{where}.{key}".lstrip("."), f"must be {JSON_KINDS[kind]}")
    return value


def parse_trace(raw: bytes) -> dict:
    """Parse and validate trace bytes; raise TraceError naming the first problem found."""
    if len(raw) > MAX_TRACE_BYTES:
        raise TraceError("", f"file is {len(raw)} bytes; traces are limited to {MAX_TRACE_BYTES}")
    try:
        trace = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise TraceError("", f"not valid JSON (truncated or corrupt?): {exc}") from None
    if not isinstance(trace, dict):
        raise TraceError("", "a trace must be a JSON object")
    if trace.get("format") != FORMAT:
        raise TraceError("format", f"must be '{FORMAT}' (got {quote(trace.get('format'))})")
    version = trace.get("version")
    if type(version) is not int or version != VERSION:  # True == 1 in Python: not a version
        raise TraceError("version", f"{quote(version)} is not supported; this build reads {VERSION}")
    try:
        config = validate_config(_require(trace, "config", dict, ""))
    except ConfigError as exc:
        raise TraceError(_within("config", exc.field), exc.message) from None
    shape, target = input_shape(config.dataset), target_shape(config.dataset)
    _check_data(_require(trace, "data", dict, ""), shape, target)
    n_classes = config.dataset.n_classes
    entries = build_entries(shape, LOSSES[config.training.loss].outputs(n_classes), config.network,
                            many_to_one=len(shape) > 1 and not target)
    layers = _require(trace, "layers", list, "")
    if layers != [e.describe() for e in entries]:
        raise TraceError("layers", "do not match the network the config builds")
    _check_params(_require(_require(trace, "initial", dict, ""), "params", list, "initial"),
                  entries, "initial.params")
    _check_events(_require(trace, "events", list, ""), config, entries)
    _check_steps(_require(trace, "steps", list, ""), entries, len(trace["data"]["x_train"]))
    return trace


def load_trace(path) -> dict:
    """Read and validate a trace file."""
    with open(path, "rb") as f:
        raw = f.read(MAX_TRACE_BYTES + 1)
    return parse_trace(raw)


def _check_data(data, shape: tuple, target: tuple) -> None:
    """x_* of shape (n, *shape) (features, or time steps and channels), y_* of shape (n, *target),
    for train and test."""
    for split in ("train", "test"):
        x = _array(_require(data, f"x_{split}", list, "data"), f"data.x_{split}")
        if x.ndim != 1 + len(shape) or x.shape[1:] != shape:
            each = f"{shape[0]} columns per row" if len(shape) == 1 else f"shape {list(shape)} per example"
            raise TraceError(f"data.x_{split}", f"must have {each}")
        _array(_require(data, f"y_{split}", list, "data"), f"data.y_{split}", (len(x), *target))


def _check_params(params, entries, where) -> None:
    """One dict of named arrays per entry ({W, b}, {gamma, beta}, ...), shaped as its layer says."""
    if len(params) != len(entries):
        raise TraceError(where, f"has {len(params)} entries, expected {len(entries)}")
    for i, (p, e) in enumerate(zip(params, entries)):
        for spec in e.layer.params:
            _array(_require(p, spec.key, list, f"{where}[{i}]"), f"{where}[{i}].{spec.key}", spec.shape)


def _check_events(events, config, entries) -> None:
    """Each event a step and either a partial config that merges into a valid config or a
    parameter edit (`set_param`) of an element the network has, to a finite value."""
    for k, event in enumerate(events):
        where = f"events[{k}]"
        step = _require(event, "step", int, where)
        if step < 0:
            raise TraceError(f"{where}.step", "must be at least 0")
        if isinstance(event, dict) and "set_param" in event:
            _check_edit(_require(event, "set_param", dict, where), config, entries, f"{where}.set_param")
            continue
        try:
            validate_config(merge(config.model_dump(), _require(event, "config", dict, where)))
        except ConfigError as exc:
            raise TraceError(_within(f"{where}.config", exc.field), exc.message) from None


def _check_edit(edit, config, entries, where) -> None:
    """A parameter edit: {layer, param, index, value} naming an element, set to a finite value."""
    unknown = set(edit) - EDIT_KEYS
    if unknown:
        raise TraceError(f"{where}.{sorted(unknown)[0]}", f"is not a part of an edit ({', '.join(sorted(EDIT_KEYS))})")
    missing = EDIT_KEYS - set(edit)
    if missing:
        raise TraceError(where, f"missing '{sorted(missing)[0]}'")
    try:
        checked_edit(entries, config.training.dtype, **edit)
    except EditError as exc:
        raise TraceError(f"{where}.{exc.field}", str(exc)) from None


def _check_steps(steps, entries, n_train) -> None:
    """Steps strictly increasing, each with one scalar dict per entry; snapshots shaped right."""
    if len(steps) > MAX_STEPS:
        raise TraceError("steps", f"has {len(steps)} entries; at most {MAX_STEPS} are read")
    previous = 0
    for k, s in enumerate(steps):
        where = f"steps[{k}]"
        step = _require(s, "step", int, where)
        if step <= previous:
            raise TraceError(f"{where}.step", f"{step} does not follow step {previous}")
        previous = step
        layers = _require(s, "layers", list, where)
        if len(layers) != len(entries) or not all(
                isinstance(l, dict) and set(LAYER_STATS) <= set(l) for l in layers):
            raise TraceError(f"{where}.layers", f"must hold {len(entries)} dicts of {', '.join(LAYER_STATS)}")
        _check_through_time(layers, entries, f"{where}.layers")
        if "batch" in s:
            batch = _array(s["batch"], f"{where}.batch", integer=True)
            if batch.ndim != 1 or batch.size == 0 or batch.min() < 0 or batch.max() >= n_train:
                raise TraceError(f"{where}.batch", f"must index the {n_train} training points")
        if "snapshot" in s:
            snap = _require(s, "snapshot", dict, where)
            _check_params(_require(snap, "params", list, f"{where}.snapshot"), entries,
                          f"{where}.snapshot.params")
            _check_params(_require(snap, "grads", list, f"{where}.snapshot"), entries,
                          f"{where}.snapshot.grads")
            _check_views(snap, f"{where}.snapshot")


def _number(value) -> bool:
    """Whether a JSON value is a number or null (a non-finite number)."""
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _check_through_time(layers, entries, where) -> None:
    """Each recurrent entry's signal_norm_by_time (T numbers or null) and recurrent_grad_norm."""
    for i, (scalars, e) in enumerate(zip(layers, entries)):
        if not e.layer.recurrent:
            continue
        by_time = scalars.get("signal_norm_by_time")
        if not isinstance(by_time, list) or len(by_time) != e.layer.seq_len or not all(map(_number, by_time)):
            raise TraceError(f"{where}[{i}].signal_norm_by_time",
                             f"must be a list of {e.layer.seq_len} numbers (one per time step)")
        if "recurrent_grad_norm" not in scalars or not _number(scalars["recurrent_grad_norm"]):
            raise TraceError(f"{where}[{i}].recurrent_grad_norm", "must be a number or null")


BADGE_STATUSES = ("ok", "warn", "unknown")


def _check_views(snap, where) -> None:
    """A snapshot's epoch, full-set metrics and health badges, where present (older traces lack
    them): a count, numbers (or null) by name, and badges the page can show."""
    if "epoch" in snap and _require(snap, "epoch", int, where) < 0:
        raise TraceError(f"{where}.epoch", "must be at least 0")
    if "metrics" in snap:
        for name, value in _require(snap, "metrics", dict, where).items():
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                raise TraceError(f"{where}.metrics.{name}", "must be a number or null")
    for k, badge in enumerate(_require(snap, "health", list, where) if "health" in snap else []):
        at = f"{where}.health[{k}]"
        if not isinstance(badge, dict):
            raise TraceError(at, "must be an object")
        for key in ("id", "label", "why", "try", "source"):
            if not isinstance(badge.get(key), str):
                raise TraceError(f"{at}.{key}", "must be a string")
        if badge.get("status") not in BADGE_STATUSES:
            raise TraceError(f"{at}.status", f"must be one of {', '.join(BADGE_STATUSES)}")
        _require(badge, "layers", list, at)
