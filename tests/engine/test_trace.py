"""Tests for the trace: export fields, strict JSON encoding, loader round trip and errors, replay."""
import json
import math

import numpy as np
import orjson
import pytest

import engine.trace_loader as trace_loader
from engine import Trainer, validate_config
from engine.stats import LAYER_STATS
from engine import encode
from engine.replay import replay
from engine.trace_loader import TraceError, parse_trace

BN = {"network": {"batch_norm": True}}
DIVERGING = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal",
                         "init_gain": 5.0}, "training": {"learning_rate": 10.0}}


def normalize(obj):
    """What a value reads back as from strict JSON: lists, with null for every non-finite float."""
    if isinstance(obj, np.ndarray):
        return normalize(obj.tolist())
    if isinstance(obj, np.generic):
        return normalize(obj.item())
    if isinstance(obj, dict):
        return {k: normalize(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [normalize(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def strict_loads(raw: bytes):
    def reject(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(raw, parse_constant=reject)


@pytest.fixture(scope="module")
def bn_run():
    trainer = Trainer(BN, snapshot_every=5)
    records, thetas, used = [], {}, {}
    for _ in range(12):
        records.append(trainer.step())
        thetas[trainer.steps] = trainer.net.store.theta.copy()
        used[trainer.steps] = trainer.last_step.used.copy()
    return trainer, trainer.export_trace(), records, thetas, used


def test_export_has_every_design_field(bn_run):
    trainer, trace, records, thetas, used = bn_run
    assert trace["format"] == "backprop-lab-trace" and trace["version"] == 1
    assert trace["config"] == validate_config(BN).model_dump()
    for key in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(trace["data"][key], getattr(trainer.data, key))
    assert trace["layers"][:2] == [
        {"name": "dense1", "kind": "dense", "fan_in": 2, "fan_out": 4, "activation": "tanh"},
        {"name": "bn1", "kind": "batch_norm", "fan_in": 4, "fan_out": 4, "activation": None}]
    assert [l["kind"] for l in trace["layers"]] == ["dense", "batch_norm"] * 2 + ["dense"]
    fresh = Trainer(BN).net.store.params
    initial = trace["initial"]["params"]
    assert [sorted(p) for p in initial] == [["W", "b"], ["beta", "gamma"]] * 2 + [["W", "b"]]
    assert np.array_equal(initial[0]["W"], fresh["dense1.W"]) and np.array_equal(initial[1]["gamma"], fresh["bn1.gamma"])
    assert trace["events"] == [] and trace["nonfinite"] is None
    steps = trace["steps"]
    assert [s["step"] for s in steps] == list(range(1, 13))
    for s, record in zip(steps, records):
        assert s["loss"] == record.loss and s["accuracy"] == record.accuracy
        assert (s["clip_norm_before"], s["clip_norm_after"]) == (record.clip_norm_before, record.clip_norm_after)
        assert len(s["layers"]) == 5 and all(list(l) == list(LAYER_STATS) for l in s["layers"])
        table = np.array([[l[k] for k in LAYER_STATS] for l in s["layers"]])
        assert np.array_equal(table, record.layers, equal_nan=True)
        assert ("snapshot" in s) == ("batch" in s) == (s["step"] in (1, 2, 5, 10, 12))  # 12: the last
    for s in (steps[4], steps[9]):
        step = s["step"]
        assert np.array_equal(s["batch"], records[step - 1].batch)
        snap = s["snapshot"]
        theta, grads = trainer.net.store.views(thetas[step]), trainer.net.store.views(used[step])
        assert np.array_equal(snap["params"][0]["W"], theta["dense1.W"])
        assert np.array_equal(snap["params"][3]["beta"], theta["bn2.beta"])
        assert np.array_equal(snap["grads"][4]["b"], grads["dense3.b"])
        assert len(snap["detail"]["layers"]) == 5 and "output_grid" in snap["detail"]


def test_snapshot_detail_stays_as_it_was_at_its_step():
    trainer = Trainer({}, snapshot_every=5)
    trainer.run(5)
    trainer.run(20)
    snap = next(s for s in trainer.export_trace()["steps"] if s["step"] == 5)["snapshot"]
    for i, layer in enumerate(snap["detail"]["layers"]):
        assert np.array_equal(layer["weights"]["values"], snap["params"][i]["W"]), f"layer {i} weights"


def test_export_keeps_every_snapshot_after_thinning():
    trainer = Trainer({}, snapshot_every=10, scalar_bytes=16 * 8 * (2 + 3 * 34))
    trainer.run(200)
    trace = trainer.export_trace()
    assert trace["thinning"]["thinnings"] > 0
    kept = [s["step"] for s in trainer.recorder.snapshots]
    exported = [s["step"] for s in trace["steps"] if "snapshot" in s]
    assert len(exported) == len(kept), f"recorder holds snapshots of {kept}, the export only {exported}"


def test_thinned_export_has_spans_and_envelopes_and_loads():
    trainer = Trainer({}, snapshot_every=0, scalar_bytes=16 * 8 * (2 + 3 * 34))
    trainer.run(300)
    trace = trainer.export_trace()
    steps = trace["steps"]
    assert steps[0]["step"] == 1 and steps[-1]["step"] == 300
    assert sum(s.get("span", 1) for s in steps) == 300
    merged = [s for s in steps if "span" in s]
    assert merged and all(s["min"]["loss"] <= s["loss"] <= s["max"]["loss"] for s in merged)
    assert parse_trace(encode(trace))["steps"][-1]["step"] == 300


def test_encode_is_strict_json_even_after_divergence():
    trainer = Trainer(DIVERGING, snapshot_every=1)
    record = trainer.run(50)
    assert not record.applied and trainer.nonfinite is not None
    trace = trainer.export_trace()
    document = strict_loads(encode(trace))
    assert document["nonfinite"]["layer_name"] == trainer.nonfinite["layer_name"]
    assert document["steps"][0]["layers"][0]["dead_fraction"] is not None
    assert document["steps"][0]["layers"][0]["saturated_fraction"] is None  # NaN -> null
    strict_loads(encode(trainer.detail()))  # the detail of the refused step: grads not finite
    strict_loads(encode({"a": np.array([np.nan, np.inf, -np.inf], dtype=np.float32), "b": float("inf")}))
    assert parse_trace(encode(trace))["steps"][-1]["step"] == trainer.steps


def test_round_trip_equals_the_original_values(bn_run):
    trace = bn_run[1]
    assert parse_trace(encode(trace)) == normalize(trace)


def test_replay_reproduces_steps_with_events_including_one_mid_phase():
    trainer = Trainer({"network": {"dropout": 0.1}})
    trainer.run(120)
    trainer.reconfigure({"training": {"learning_rate": 0.1}})
    trainer.run(50)
    for _ in range(3):
        trainer.phase()
    trainer.reconfigure({"training": {"optimizer": "adam", "learning_rate": 0.01}})
    while trainer.mid_step:
        trainer.phase()
    trainer.run(60)
    trace = trainer.export_trace()
    assert trace["events"] == [{"step": 120, "config": {"training": {"learning_rate": 0.1}}},
                               {"step": 171, "config": {"training": {"learning_rate": 0.01, "optimizer": "adam"}}}]
    replayed = replay(parse_trace(encode(trace)))
    again = replayed.export_trace()
    assert replayed.steps == trainer.steps == 231
    assert again["events"] == trace["events"]
    assert encode(again["steps"]) == encode(trace["steps"])
    assert np.array_equal(replayed.net.store.theta, trainer.net.store.theta)


# --- the loader ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def raw_trace():
    trainer = Trainer({}, snapshot_every=5)
    trainer.run(10)
    return encode(trainer.export_trace())


def mutate(raw, change):
    trace = orjson.loads(raw)
    change(trace)
    return encode(trace)


def set_path(obj, path, value):
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


CORRUPTIONS = {
    "format": (lambda t: t.update(format="other"), "format", "must be 'backprop-lab-trace'"),
    "version": (lambda t: t.update(version=2), "version", "2 is not supported"),
    "step layers": (lambda t: t["steps"][3]["layers"].pop(), "steps[3].layers", "must hold 3 dicts"),
    "step layer keys": (lambda t: t["steps"][3]["layers"][1].pop("grad_norm"), "steps[3].layers", "grad_norm"),
    "snapshot shape": (lambda t: set_path(t, ["steps", 4, "snapshot", "params", 0, "W"], [[0.0] * 4]),
                       "steps[4].snapshot.params[0].W", "has shape [1, 4], expected [2, 4]"),
    "snapshot grads": (lambda t: t["steps"][9]["snapshot"]["grads"].pop(), "steps[9].snapshot.grads",
                       "has 2 entries, expected 3"),
    "config units": (lambda t: set_path(t, ["config", "network", "hidden", 0, "units"], 300),
                     "config.network.hidden.0.units", "at most 256"),
    "config unknown": (lambda t: set_path(t, ["config", "training", "nope"], 1), "config.training.nope",
                       "unknown field"),
    "steps order": (lambda t: set_path(t, ["steps", 2, "step"], 2), "steps[2].step", "2 does not follow step 2"),
    "batch range": (lambda t: set_path(t, ["steps", 4, "batch", 0], 250), "steps[4].batch",
                    "must index the 250 training points"),
    "batch negative": (lambda t: set_path(t, ["steps", 9, "batch", 3], -1), "steps[9].batch", "250 training"),
    "missing data": (lambda t: t.pop("data"), "", "missing 'data'"),
    "data columns": (lambda t: set_path(t, ["data", "x_test", 0], [1.0, 2.0, 3.0]), "data.x_test",
                     "rectangular"),
    "labels": (lambda t: t["data"]["y_train"].pop(), "data.y_train", "expected [250]"),
    "initial": (lambda t: t["initial"]["params"].pop(), "initial.params", "has 2 entries, expected 3"),
    "layers": (lambda t: set_path(t, ["layers", 0, "fan_out"], 5), "layers", "do not match"),
    "event": (lambda t: t.update(events=[{"step": 3, "config": {"training": {"learning_rate": -1.0}}}]),
              "events[0].config.training.learning_rate", "greater than 0"),
    "steps type": (lambda t: t.update(steps={}), "steps", "must be a list"),
    "snapshot epoch": (lambda t: set_path(t, ["steps", 4, "snapshot", "epoch"], -1), "steps[4].snapshot.epoch",
                       "must be at least 0"),
    "snapshot metrics": (lambda t: set_path(t, ["steps", 4, "snapshot", "metrics", "test_loss"], "low"),
                         "steps[4].snapshot.metrics.test_loss", "must be a number or null"),
    "snapshot badge": (lambda t: set_path(t, ["steps", 9, "snapshot", "health", 2, "status"], "great"),
                       "steps[9].snapshot.health[2].status", "must be one of ok, warn, unknown"),
    "snapshot badge text": (lambda t: t["steps"][9]["snapshot"]["health"][0].pop("why"),
                            "steps[9].snapshot.health[0].why", "must be a string"),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_loader_rejects_naming_where(raw_trace, name):
    change, where, message = CORRUPTIONS[name]
    with pytest.raises(TraceError) as info:
        parse_trace(mutate(raw_trace, change))
    assert info.value.where == where
    assert message in str(info.value) and str(info.value).startswith(where)


@pytest.mark.parametrize("raw, message", [
    (lambda raw: raw[:len(raw) // 2], "not valid JSON (truncated or corrupt?)"),
    (lambda raw: b"", "not valid JSON"),
    (lambda raw: b"[1, 2]", "a trace must be a JSON object"),
    (lambda raw: raw.replace(b'"version":1', b'"version":NaN'), "not valid JSON"),
])
def test_loader_rejects_bad_bytes(raw_trace, raw, message):
    with pytest.raises(TraceError) as info:
        parse_trace(raw(raw_trace))
    assert message in str(info.value)


def test_loader_rejects_oversized(raw_trace, monkeypatch, tmp_path):
    monkeypatch.setattr(trace_loader, "MAX_TRACE_BYTES", 1000)
    with pytest.raises(TraceError, match=f"file is {len(raw_trace)} bytes; traces are limited to 1000"):
        parse_trace(raw_trace)
    path = tmp_path / "big.json"
    path.write_bytes(raw_trace)
    with pytest.raises(TraceError, match="limited to 1000"):
        trace_loader.load_trace(path)


def test_loader_accepts_its_own_export(raw_trace, tmp_path):
    path = tmp_path / "trace.json"
    path.write_bytes(raw_trace)
    trace = trace_loader.load_trace(path)
    assert [s["step"] for s in trace["steps"]] == list(range(1, 11))
