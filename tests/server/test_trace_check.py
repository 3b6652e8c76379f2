"""POST /api/trace/check: the engine's validator answers the page's import, naming what is wrong."""
import orjson

from engine import Trainer, encode


def _trace_bytes(steps=3) -> bytes:
    trainer = Trainer({"network": {"hidden": [{"units": 3}]}}, snapshot_every=2)
    trainer.run(steps)
    return encode(trainer.export_trace())


def test_a_good_trace_is_summarized(client):
    response = client.post("/api/trace/check", content=_trace_bytes())
    assert response.status_code == 200
    assert response.json() == {"ok": True, "steps": 3, "layers": 2, "snapshots": 3}  # 1, 2 and the last


def test_a_corrupt_trace_names_the_part_at_fault(client):
    trace = orjson.loads(_trace_bytes())
    trace["steps"][1]["step"] = 1
    response = client.post("/api/trace/check", content=orjson.dumps(trace))
    assert response.status_code == 422
    assert response.json() == {"ok": False, "where": "steps[1].step", "message": "1 does not follow step 1"}


def test_truncated_json_is_refused_as_such(client):
    response = client.post("/api/trace/check", content=_trace_bytes()[:-40])
    assert response.status_code == 422
    body = response.json()
    assert body["where"] == "" and body["message"].startswith("not valid JSON (truncated or corrupt?)")


def test_the_catalog_carries_what_the_page_must_not_copy(client):
    catalog = client.get("/api/catalog").json()
    maps = catalog["plane"].pop("feature_maps")
    assert catalog["plane"] == {"extent": [-6.0, 6.0], "grid": 50, "map_grid": 20}
    assert list(maps) == [f["name"] for f in catalog["choices"]["features"]]  # each input's map, as the page draws it
    assert all(len(m) == 20 and all(len(row) == 20 for row in m) for m in maps.values())
    assert (maps["x1"][0][0], maps["x1"][0][19], maps["x2"][19][0], maps["x1x2"][19][19]) == (-6.0, 6.0, 6.0, 36.0)
    assert catalog["step_scalars"] == ["loss", "accuracy", "clip_norm_before", "clip_norm_after"]
    assert catalog["max_trace_bytes"] == 256 * 2**20
    deep = next(p for p in catalog["presets"] if p["id"] == "deep-sigmoid")
    assert deep["full_config"]["training"]["learning_rate"] == 0.3
    assert deep["full_config"]["training"]["optimizer"] == catalog["defaults"]["training"]["optimizer"]
    assert deep["full_config"]["network"]["hidden"] == deep["config"]["network"]["hidden"]


def test_the_catalog_lists_the_layer_kinds_from_the_registry(client):
    kinds = client.get("/api/catalog").json()["choices"]["layer_kinds"]
    assert [(k["name"], k["in_hidden"], k["recurrent"], k["image"], k["activations"]) for k in kinds] == [
        ("dense", True, False, False, None), ("batch_norm", False, False, False, None),
        ("rnn", True, True, False, ["tanh", "relu"]), ("lstm", True, True, False, []),
        ("conv2d", True, False, True, None), ("max_pool", True, False, True, []), ("avg_pool", True, False, True, [])]
    assert [k["fields"] for k in kinds if k["image"]] == [["channels", "kernel", "stride", "padding"], ["size"], ["size"]]
    assert all(k["description"] for k in kinds)


def test_a_sequence_trace_is_one_the_page_replays(client):
    trainer = Trainer({"dataset": {"name": "remember_first", "seq_len": 6},
                       "network": {"hidden": [{"kind": "lstm", "units": 4}]}}, snapshot_every=2)
    trainer.run(3)
    response = client.post("/api/trace/check", content=encode(trainer.export_trace()))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "steps": 3, "layers": 2, "snapshots": 3}
