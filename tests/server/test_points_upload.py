"""POST /api/points/csv (issue 16, point 1): the engine reads the page's CSV file into the custom
set's config, or names the line at fault; the config then trains over the WebSocket like any other."""
from engine.custom_points import MAX_CSV_BYTES

CSV = "x1,x2,label\n" + "".join(f"{0.5 * k - 3},{(-1) ** k * 0.25 * k},{k % 3}\n" for k in range(12))


def test_a_good_file_comes_back_as_the_custom_sets_config(client):
    response = client.post("/api/points/csv", content=CSV.encode(), headers={"content-type": "text/csv"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and set(body) == {"ok", "dataset"}
    assert body["dataset"]["name"] == "custom" and body["dataset"]["task"] == "classification"
    assert body["dataset"]["n_classes"] == 3
    assert body["dataset"]["points"][5] == [-0.5, -1.25, 2]


def test_a_bad_line_is_named_and_nothing_else_is_said(client):
    bad = CSV.replace("-1.0,1.0,1\n", "-1.0,abc,1\n")  # the point k = 4, on line 6
    response = client.post("/api/points/csv", content=bad.encode())
    assert response.status_code == 422
    assert response.json() == {"ok": False, "line": 6, "message": "'abc' is not a number"}


def test_a_file_over_the_cap_is_refused_before_it_is_read(client):
    response = client.post("/api/points/csv", content=b"1,2,0\n" * (MAX_CSV_BYTES // 6 + 1))
    assert response.status_code == 422
    assert response.json() == {"ok": False, "line": 0, "message": "the file is over 2 MB; at most that"}


def open_custom_run(ws, dataset: dict) -> dict:
    """Past `hello`, configure a run on the uploaded `dataset` (cross-entropy, batch 4); returns
    the `config` reply."""
    assert ws.receive_json()["type"] == "hello"
    ws.send_json({"type": "configure", "config": {"dataset": dataset, "training": {"loss": "cross_entropy",
                                                                                 "batch_size": 4}}, "id": 1})
    return next(m for m in iter(ws.receive_json, None) if m.get("id") == 1)


def test_the_read_points_train_over_the_websocket(client):
    dataset = client.post("/api/points/csv", content=CSV.encode()).json()["dataset"]
    with client.websocket_connect("/ws") as ws:
        reply = open_custom_run(ws, dataset)
        assert reply["type"] == "config" and reply["config"]["dataset"]["points"] == dataset["points"]
        ws.send_json({"type": "step", "count": 3, "id": 2})
        frame = next(m for m in iter(ws.receive_json, None) if m.get("id") == 2)
        assert frame["type"] == "frame" and frame["step"] == 3


def test_points_drawn_on_a_paused_run_change_live_and_come_in_a_frame(client):
    dataset = client.post("/api/points/csv", content=CSV.encode()).json()["dataset"]
    with client.websocket_connect("/ws") as ws:
        assert open_custom_run(ws, dataset)["type"] == "config"
        next(m for m in iter(ws.receive_json, None) if m.get("id") == 1 and m["type"] == "frame")
        ws.send_json({"type": "step", "count": 3, "id": 2})
        next(m for m in iter(ws.receive_json, None) if m.get("id") == 2)
        drawn = dataset["points"] + [[1.0, 1.0, 2], [1.5, 1.0, 2]]
        ws.send_json({"type": "configure", "config": {"dataset": {"points": drawn}}, "id": 3})
        reply = ws.receive_json()
        assert (reply["type"], reply["id"], reply["reset"], reply["fields"]) == ("config", 3, False, [])
        frame = ws.receive_json()
        assert (frame["type"], frame["id"], frame["step"]) == ("frame", 3, 3)  # the same run, at its step
        shown = sum(len(frame["points"][split]["x"]) for split in ("train", "test"))
        assert shown == 14
