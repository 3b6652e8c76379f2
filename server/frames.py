"""The one serialization boundary: engine results -> JSON-ready message bodies.

Bulk arrays are packed (server.encoding); small vectors and histograms are plain lists, their
non-finite values written as null by orjson.
"""
import numpy as np

from engine import LAYER_STATS, STEP_SCALARS, encode, summarize

from .encoding import pack, quantize, quantize_each


def _matrix(summary: dict | None) -> dict | None:
    """A summarized engine tensor: {shape, values (packed float32), rows?, cols?}; None for none
    (a pool's weights)."""
    if summary is None:
        return None
    out = {"shape": summary["shape"], "values": pack(summary["values"])}
    if "summarized" in summary:
        out["summarized"] = {k: v.tolist() for k, v in summary["summarized"].items()}
    return out


def scalars(columns: dict, recorder) -> dict:
    """Recorder rows since the last frame, column-wise: step, span, the step scalars,
    `layers` {stat: (n, n_entries)} and, in a net with recurrent entries, `through_time`
    {layers (their indices), signal_norm_by_time (n, R, T), recurrent_grad_norm (n, R)}."""
    value = columns["value"]
    n = len(value)
    out = {"count": n, "step": pack(columns["step"], "int32"), "span": pack(columns["span"], "int32")}
    for k, name in enumerate(STEP_SCALARS):
        out[name] = pack(value[:, k])
    per_layer = recorder.layer_values(value)
    out["layers"] = {name: pack(per_layer[:, :, k]) for k, name in enumerate(LAYER_STATS)}
    layout = recorder.time_layout
    if layout is not None and layout.entries:
        signals, norms = recorder.time_values(value)
        out["through_time"] = {"layers": list(layout.entries), "signal_norm_by_time": pack(signals),
                               "recurrent_grad_norm": pack(norms)}
    return out


def evaluations(columns: dict) -> dict:
    """Scheduled full-set evaluations since the last frame, column-wise: count, step (packed
    int32) and each metric (packed float32, NaN for accuracies on regression sets)."""
    out = {"count": len(columns["step"]), "step": pack(columns["step"], "int32")}
    out.update({name: pack(values) for name, values in columns.items() if name != "step"})
    return out


def _histogram(h: dict | None) -> dict | None:
    """Histogram arrays as lists."""
    if h is None:
        return None
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in h.items()}


def _recurrent(r: dict | None) -> dict | None:
    """A recurrent entry's detail as sent: h_t and the gates quantized to 8 bits, dL/dh_t packed
    float32 (its magnitudes span decades), the spectrum as plain lists."""
    if r is None:
        return None
    out = {"through_time": None, "spectrum": None}
    states = r["through_time"]
    if states is not None:
        gates = states["gates"]
        out["through_time"] = {
            "example": states["example"], "index": states["index"], "h": quantize(states["h"]),
            "dh": None if states["dh"] is None else pack(states["dh"]),
            "gates": None if gates is None else {name: quantize(g) for name, g in gates.items()}}
    if r["spectrum"] is not None:
        spectrum = r["spectrum"]
        out["spectrum"] = {**spectrum, "real": [v.tolist() for v in spectrum["real"]],
                           "imag": [v.tolist() for v in spectrum["imag"]]}
    return out


def detail(d: dict) -> dict:
    """Engine detail as sent: matrices packed, output grid and neuron maps quantized to 8 bits."""
    layers = [{
        "weights": _matrix(l["weights"]), "grads": _matrix(l["grads"]),
        "updates": _matrix(l["updates"]),
        "neuron_act": None if l["neuron_act"] is None else l["neuron_act"].tolist(),
        "neuron_signal": None if l["neuron_signal"] is None else l["neuron_signal"].tolist(),
        "hist": {k: _histogram(h) for k, h in l["hist"].items()},
        "recurrent": _recurrent(l["recurrent"]),
        "maps": _maps(l["maps"]),
    } for l in d["layers"]]
    out = {"step": d["step"], "layers": layers}
    if "output_grid" in d:
        g = d["output_grid"]
        out["output_grid"] = {"x": g["x"].tolist(), "y": g["y"].tolist(), "kind": g["kind"],
                              "values": quantize(g["values"])}
    if "neuron_maps" in d:
        m = d["neuron_maps"]
        out["neuron_maps"] = {"x": m["x"].tolist(), "y": m["y"].tolist(), "units": m["units"],
                              "maps": quantize_each(m["maps"]) if m["maps"] else [],
                              "total_units": m["total_units"], "summarized": m["summarized"]}
    if "sequence" in d:
        out["sequence"] = _sequence(d["sequence"])
    if "image" in d:
        out["image"] = _image(d["image"])
    return out


def _maps(m: dict | None) -> dict | None:
    """A conv or pool entry's feature maps as sent: A quantized to 8 bits over the layer's range,
    dL/dA packed float32 (its magnitudes span decades)."""
    if m is None:
        return None
    return {"a": quantize(m["a"]), "da": None if m["da"] is None else pack(m["da"])}


def _image(d: dict) -> dict:
    """The image panels' part: the shown example and its saliency packed float32, the gallery's
    images quantized and its labels, predictions and confidences as lists, the confusion matrix."""
    example, gallery = d["example"], d["gallery"]
    return {"example": None if example is None else {
                "example": example["example"], "index": example["index"], "x": pack(example["x"]),
                "saliency": None if example["saliency"] is None else pack(example["saliency"])},
            "gallery": {"index": gallery["index"].tolist(), "images": quantize(gallery["images"]),
                        "label": gallery["label"].tolist(), "predicted": gallery["predicted"].tolist(),
                        "confidence": gallery["confidence"].tolist()},
            "confusion": d["confusion"].tolist()}


def _sequence(s: dict) -> dict:
    """The sequence panels' part as plain lists (a few hundred numbers at most)."""
    example = s["example"]
    return {"example": None if example is None else {
                "x": example["x"].tolist(), "output": None if example["output"] is None else example["output"].tolist()},
            "predictions": {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in s["predictions"].items()}}


def points(data) -> dict | None:
    """The run's raw 2-D points and labels (targets on regression sets), train and test; None for
    sequences, which have no plane."""
    if data.points_train is None:
        return None
    return {split: {"x": p[:, 0].tolist(), "y": p[:, 1].tolist(), "label": y.tolist()}
            for split, p, y in (("train", data.points_train, data.y_train),
                                ("test", data.points_test, data.y_test))}


def phase_tensors(tensors: dict) -> dict:
    """A phase's tensors, each summarized and packed with its full shape."""
    out = {}
    for name, value in tensors.items():
        a = np.asarray(value)
        out[name] = _matrix(summarize(a if a.ndim else a.reshape(1)))
    return out


def phase_through_time(so_far: dict) -> dict:
    """A recurrent phase's shown example so far: h and dh packed (dh None going forward), its
    inputs x and output as plain lists (output None before the loss)."""
    output = so_far["output"]
    return {"example": so_far["example"], "x": so_far["x"].tolist(),
            "output": None if output is None else output.tolist(), "h": pack(so_far["h"]),
            "dh": None if so_far["dh"] is None else pack(so_far["dh"])}


def to_json(message: dict) -> str:
    """Strict JSON text (non-finite numbers as null)."""
    return encode(message).decode()
