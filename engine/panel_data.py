"""The panels' data (DESIGN.md's `detail`) for frames and snapshots: per-layer tensors,
histograms, the output grid and neuron maps, read through the trainer's read-only API."""
import numpy as np

from .activations import sigmoid
from .features import FEATURES, expand_features
from .histograms import histogram
from .image_detail import example_maps, image_detail
from .recurrent_detail import example_detail, spectrum
from .sequence_detail import sequence_detail

MAX_SIDE = 64  # a matrix with more rows or columns is summarized by evenly spaced rows/columns
MAX_BLOCK_VALUES = MAX_SIDE * MAX_SIDE  # a 4-D tensor's values at most (kernels, a batch of maps)
GRID = 50  # output grid resolution over the input plane
MAP_GRID = 20  # neuron-map resolution
MAX_MAPS = 256  # neuron maps sent at most, shared evenly between the hidden layers
EXTENT = (-6.0, 6.0)  # the input plane shown, Playground's


def _evenly(n: int, keep: int) -> np.ndarray:
    """keep evenly spaced indices of range(n), both ends included."""
    return np.unique(np.linspace(0, n - 1, min(n, keep)).round().astype(int))


def _block_picks(shape: tuple) -> list[np.ndarray]:
    """Which entries of a 4-D tensor's first two axes to keep (the larger axis shrunk first) so
    that the values kept stay within MAX_BLOCK_VALUES: [rows, cols]."""
    keep, area = list(shape[:2]), int(np.prod(shape[2:]))
    while keep[0] * keep[1] * area > MAX_BLOCK_VALUES and max(keep) > 1:
        keep[int(keep[1] > keep[0])] -= 1
    return [_evenly(n, k) for n, k in zip(shape[:2], keep)]


def summarize(matrix) -> dict:
    """{values, shape} of a tensor; beyond MAX_SIDE, evenly spaced rows/cols and which ones. A 4-D
    tensor (a kernel (C_out, C_in, k, k), a batch of maps (B, C, H, W)) over MAX_BLOCK_VALUES
    keeps evenly spaced entries of its first two axes (rows, cols) instead."""
    m = np.asarray(matrix)
    out = {"shape": list(m.shape), "values": m.copy()}  # a copy: the trainer's buffers move on
    if m.ndim == 4:
        if m.size > MAX_BLOCK_VALUES:
            rows, cols = _block_picks(m.shape)
            out["values"] = m[np.ix_(rows, cols)]
            out["summarized"] = {"rows": rows, "cols": cols}
        return out
    if max(m.shape) <= MAX_SIDE:
        return out
    picks = [_evenly(n, MAX_SIDE) for n in m.shape]
    out["values"] = m[np.ix_(*picks)]
    out["summarized"] = {"rows": picks[0], "cols": picks[1]} if m.ndim == 2 else {"rows": picks[0]}
    return out


def _plane(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Axis ticks (n,) and the grid's points (n*n, 2), row-major with y outer."""
    ticks = np.linspace(*EXTENT, n)
    xx, yy = np.meshgrid(ticks, ticks)
    return ticks, np.column_stack([xx.ravel(), yy.ravel()])


def output_grid(trainer) -> dict:
    """The model's eval-mode output over the plane: {x, y, values (GRID, GRID), kind}."""
    ticks, points = _plane(GRID)
    with np.errstate(all="ignore"):
        out, _ = trainer.net.evaluate(trainer.data.inputs(points))
        if trainer.data.task == "regression":
            values, kind = out[:, 0], "value"
        elif trainer.loss.name == "cross_entropy":
            values, kind = out.argmax(axis=1), "class"
        elif trainer.loss.name == "bce":
            values, kind = sigmoid(out[:, 0]), "probability"
        else:
            values, kind = out[:, 0], "probability"
    return {"x": ticks, "y": ticks, "values": values.reshape(GRID, GRID), "kind": kind}


def feature_maps() -> dict:
    """Each input feature over the coarse plane, before standardization: {name: (MAP_GRID, MAP_GRID)},
    row 0 the lowest y (as the neuron maps)."""
    _, points = _plane(MAP_GRID)
    return {name: expand_features(points, [name])[:, 0].reshape(MAP_GRID, MAP_GRID) for name in FEATURES}


def map_units(widths: list[int]) -> list[list[int]]:
    """Which [layer, unit] get a map: an equal share of MAX_MAPS per layer (a narrow layer's unused
    share goes to the others), taken from both ends of a wider layer, as the page draws it."""
    budget, left, open_ = [0] * len(widths), MAX_MAPS, [k for k, w in enumerate(widths) if w]
    while left and open_:
        share = max(1, left // len(open_))
        for k in list(open_):
            give = min(share, widths[k] - budget[k], left)
            budget[k] += give
            left -= give
            if budget[k] == widths[k]:
                open_.remove(k)
    return [[k, unit] for k, (w, b) in enumerate(zip(widths, budget))
            for unit in (range(w) if b == w else [*range((b + 1) // 2), *range(w - b // 2, w)])]


def neuron_maps(trainer) -> dict:
    """Hidden units' eval-mode outputs over a coarse plane: {x, y, units [[layer, unit]], maps [(MAP_GRID, MAP_GRID) per unit]}."""
    ticks, points = _plane(MAP_GRID)
    with np.errstate(all="ignore"):
        _, hidden = trainer.net.evaluate(trainer.data.inputs(points), keep_hidden=True)
    units = map_units([a.shape[1] for a in hidden])
    total = sum(a.shape[1] for a in hidden)
    return {"x": ticks, "y": ticks, "units": units, "maps": [hidden[k][:, u].reshape(MAP_GRID, MAP_GRID) for k, u in units],
            "total_units": total, "summarized": total > len(units)}


def _block_activity(trainer) -> dict:
    """Block start -> (a, dL/da) of its block's last entry, as the last step taped them."""
    net = trainer.net
    return {e.block_start: (net.tapes[i].a, net.tapes[i].da)
            for i, e in enumerate(net.entries) if e.end is not None}


def _summary(tensor) -> dict | None:
    """summarize(tensor), None for no tensor."""
    return None if tensor is None else summarize(tensor)


def _histogram(tensor) -> dict | None:
    """histogram(tensor), None for no tensor."""
    return None if tensor is None else histogram(tensor)


def layer_detail(trainer, spectra: bool = True) -> list[dict]:
    """Per entry of `layers`: its first weight-like tensor (W, K, W_x or γ; None for a pool, which
    has none), that tensor's gradient (as backpropagated) and last update, neuron means (a conv
    or pool entry's per channel, over every position) and histograms; for a recurrent entry also
    `recurrent`: one example through time and, with `spectra`, W_h's spectrum (recurrent_detail);
    for a conv or pool entry `maps`: one example's feature maps and their gradients (image_detail)."""
    net, updates = trainer.net, trainer.net.store.views(trainer.last_update)
    activity = _block_activity(trainer)
    result = []
    for i, e in enumerate(net.entries):
        key = next((spec.key for spec in e.layer.params if spec.primary), None)  # None: a pool's
        weight, dweight = (None, None) if key is None else (net.params[i][key], net.grads[i][key])
        act, signal = activity.get(i, (None, None))
        result.append({
            "weights": _summary(weight), "grads": _summary(dweight),
            "updates": None if key is None else summarize(updates[e.param_names[key]]),
            "neuron_act": None if act is None else act.mean(axis=e.layer.other_axes(act.ndim)),
            "neuron_signal": None if signal is None else signal.mean(axis=e.layer.other_axes(signal.ndim)),
            "hist": {"weight": _histogram(weight), "grad": _histogram(dweight),
                     "act": None if act is None else histogram(act)},
            "recurrent": None if not e.layer.recurrent else {
                "through_time": example_detail(trainer, i), "spectrum": spectrum(trainer, i) if spectra else None},
            "maps": example_maps(trainer, i) if e.layer.image else None,
        })
    return result


def detail(trainer, planes: bool = True) -> dict:
    """What the panels draw for the trainer's current state, tagged with its step; `planes`
    adds the heavy parts: the output grid and neuron maps where the data is a plane of points,
    the recurrent weights' spectra where there are recurrent entries, for sequences the shown
    example's inputs and outputs and the test predictions (sequence_detail), and for images the
    shown example with its saliency, a test gallery and the confusion matrix (image_detail)."""
    with np.errstate(all="ignore"):
        out = {"step": trainer.steps, "layers": layer_detail(trainer, spectra=planes)}
        if planes and trainer.data.input_kind == "points":
            out.update(output_grid=output_grid(trainer), neuron_maps=neuron_maps(trainer))
        if planes and trainer.data.input_kind == "sequence":
            out["sequence"] = sequence_detail(trainer)
        if planes and trainer.data.input_kind == "image":
            out["image"] = image_detail(trainer)
        return out
