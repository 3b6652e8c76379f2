"""The /ws protocol as docs/protocol.md states it, through Starlette's TestClient.

Every server message is parsed as strict JSON (NaN/Infinity refused) by `Conversation.recv`.
"""
import json
from importlib.metadata import version

import numpy as np
import pytest

from engine import Trainer, catalog
from engine.config import merge
from server.encoding import unpack
from wsclient import (Conversation, assert_every_step_once, finite_tree, frames_of,
                      scalar_steps, summary)

DEFAULT = json.loads(json.dumps(Trainer().config.model_dump()))
EXPLODE = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20,
                       "init": "normal", "init_gain": 5.0},
           "training": {"learning_rate": 10.0}}
FRAME_FIELDS = {"type", "run", "step", "epoch", "status", "scalars", "metrics", "evaluations", "layers",
                "detail"}
LAYER_STATS = ["grad_norm", "bias_grad_norm", "signal_norm", "weight_norm", "update_norm",
               "update_ratio", "act_mean", "act_std", "saturated_fraction", "dead_fraction"]


def roundtrip(value):
    """A value as it looks after JSON (tuples become lists, ...)."""
    return json.loads(json.dumps(value))


def reference(steps: int = 0, config=None) -> Trainer:
    """An independent trainer, `steps` steps in (the server must match it bitwise)."""
    trainer = Trainer(config)
    trainer.run(steps) if steps else None
    return trainer


def f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def check_scalars(frame: dict, steps: list[int], trainer_losses=None) -> None:
    """The frame's `scalars`: count, packed columns and their shapes."""
    s = frame["scalars"]
    n, n_layers = len(steps), len(frame["layers"])
    assert s["count"] == n
    assert scalar_steps(frame) == steps
    assert s["step"]["dtype"] == "int32" and s["span"]["dtype"] == "int32"
    assert unpack(s["span"]).tolist() == [1] * n
    for name in ("loss", "accuracy", "clip_norm_before", "clip_norm_after"):
        assert s[name]["dtype"] == "float32" and s[name]["shape"] == [n], name
    assert sorted(s["layers"]) == sorted(LAYER_STATS)
    for name in LAYER_STATS:
        assert s["layers"][name]["shape"] == [n, n_layers], name
    if trainer_losses is not None:
        assert unpack(s["loss"]).tolist() == f32(trainer_losses).tolist()


# ---- hello and the first frame ----------------------------------------------------------------

def test_hello_fields(conv, client):
    hello = conv.hello
    assert set(hello) == {"type", "session_id", "version", "limits", "catalog", "config"}
    assert isinstance(hello["session_id"], str) and hello["session_id"]
    assert hello["version"] == version("backprop-lab")
    assert hello["limits"] == {**catalog()["limits"], "max_message_bytes": 64 * 1024,
                               "max_transport_bytes": 1024 * 1024, "fps": [1, 60],
                               "idle_timeout": 1800.0}
    assert hello["catalog"] == roundtrip(catalog()) == client.get("/api/catalog").json()
    names = {c["name"] for c in hello["catalog"]["choices"]["activations"]}
    assert {"tanh", "relu", "sigmoid", "linear"} <= names
    assert all(c["description"] for c in hello["catalog"]["choices"]["activations"])
    assert hello["catalog"]["live_fields"]["training"].count("learning_rate") == 1
    assert hello["config"] == DEFAULT == hello["catalog"]["defaults"]


def test_hello_limits_follow_settings(make_client, connect):
    client = make_client(max_message_bytes=1000, max_transport_bytes=5000, idle_timeout=7.5)
    with connect(client) as conv:
        limits = conv.hello["limits"]
    assert (limits["max_message_bytes"], limits["max_transport_bytes"],
            limits["idle_timeout"]) == (1000, 5000, 7.5)


def test_each_connection_has_its_own_session(connect):
    with connect() as a, connect() as b:
        assert a.hello["session_id"] != b.hello["session_id"]
        a.step(3)
        assert b.step(1)["step"] == 1  # b's run is untouched by a's steps


def test_first_frame_is_step_zero_of_the_default_run(conv):
    frame = conv.first_frame
    trainer = reference()
    assert set(frame) == FRAME_FIELDS | {"points", "health"}  # no `id`: nothing asked for it
    assert (frame["run"], frame["step"], frame["epoch"], frame["status"]) == (1, 0, 0, "paused")
    check_scalars(frame, [])
    assert frame["metrics"] == trainer.evaluate()
    assert frame["layers"] == trainer.layers
    detail = frame["detail"]
    assert detail["step"] == 0 and len(detail["layers"]) == 3
    assert {"output_grid", "neuron_maps"} <= set(detail)  # heavy parts in the first frame
    weights = detail["layers"][0]["weights"]
    assert weights["shape"] == [2, 4]
    assert unpack(weights["values"]).tolist() == f32(trainer.net.store.params["dense1.W"]).tolist()
    grid = detail["output_grid"]
    assert grid["kind"] == "probability" and unpack(grid["values"]).shape == (50, 50)
    assert detail["neuron_maps"]["total_units"] == 6
    # `points`, in the first frame of each run: the raw 2-D points and their labels
    points = frame["points"]
    assert set(points) == {"train", "test"}
    assert points["train"]["x"] == trainer.data.points_train[:, 0].tolist()
    assert points["train"]["label"] == trainer.data.y_train.tolist()
    assert len(points["test"]["y"]) == len(trainer.data.y_test) == 250


# ---- step -----------------------------------------------------------------------------------

def test_step_count_gives_one_frame_with_every_step(conv):
    frame = conv.step(7, id="seven")
    trainer = Trainer()
    losses = [trainer.step().loss for _ in range(7)]
    assert frame["id"] == "seven"
    assert set(frame) == FRAME_FIELDS | {"id", "health"}  # answering a message: heavy
    assert (frame["run"], frame["step"], frame["status"]) == (1, 7, "paused")
    check_scalars(frame, [1, 2, 3, 4, 5, 6, 7], losses)
    assert frame["metrics"] == trainer.evaluate()  # bitwise the same training
    assert frame["detail"]["step"] == 7 and "output_grid" in frame["detail"]
    conv.nothing_within(0.3)  # exactly one reply
    assert scalar_steps(conv.step()) == [8]  # the next frame carries only the new step


def test_step_default_count_is_one(conv):
    conv.send({"type": "step"})
    frame = conv.expect("frame", step=1)
    assert scalar_steps(frame) == [1] and "id" not in frame


def test_pause_stops_a_long_step_early(conv):
    conv.send({"type": "step", "count": 100_000, "id": 1})
    conv.send({"type": "pause", "id": 2})
    frames = conv.until(lambda m: m.get("id") == 1)  # before it, frames "on the way" (no id)
    assert {m["type"] for m in frames} == {"frame"} and all("id" not in f for f in frames[:-1])
    frame = frames[-1]
    assert frame["step"] < 100_000  # (0 when the pause came before the first step)
    assert_every_step_once(frames)
    conv.expect("status", id=2, status="paused", step=frame["step"], reason="client")


def test_export_sent_during_a_step_does_not_cut_it_short(conv):
    # docs/protocol.md: only "a `pause` sent meanwhile stops them early".
    conv.send({"type": "step", "count": 3000, "id": 1})
    conv.send({"type": "export", "id": 2})
    frame = conv.expect("frame", id=1)
    trace = conv.expect("trace", id=2)["trace"]
    assert frame["step"] == 3000, f"export interrupted the step at {frame['step']}"
    assert len(trace["steps"]) == 3000


def test_speed_sent_during_a_step_does_not_cut_it_short(conv):
    conv.send({"type": "step", "count": 3000, "id": 1})
    conv.send({"type": "speed", "fps": 12, "id": 2})
    assert conv.expect("frame", id=1)["step"] == 3000
    conv.expect("speed", id=2, fps=12.0)


def test_a_step_frame_carries_every_step_even_past_the_recorder_capacity(conv):
    # 32 hidden layers with batch norm: 65 entries, so the recorder holds ~1600 rows. A step
    # count beyond that must still reach the client whole ("never happens to unsent rows").
    config = {"network": {"hidden": [{"units": 2}] * 32, "batch_norm": True}}
    capacity = Trainer(config).recorder.capacity
    conv.send({"type": "configure", "config": config})
    conv.expect("config", reset=True)
    conv.expect("frame", step=0)
    count = capacity + 20
    conv.send({"type": "step", "count": count, "id": "long"})
    frames = conv.until(lambda m: m.get("id") == "long", timeout=60)
    assert {m["type"] for m in frames} == {"frame"}
    assert all("id" not in f for f in frames[:-1])  # frames on the way carry no id
    assert frames[-1]["step"] == count and frames[-1]["status"] == "paused"
    assert_every_step_once(frames)


# ---- configure ------------------------------------------------------------------------------

def test_configure_live_keeps_the_weights(conv):
    conv.step(3)
    conv.send({"type": "configure", "config": {"training": {"learning_rate": 0.1}}, "id": 11})
    reply = conv.expect("config", id=11, reset=False, fields=[], pending=False)
    assert set(reply) == {"type", "id", "config", "reset", "fields", "pending"}
    assert reply["config"] == merge(DEFAULT, {"training": {"learning_rate": 0.1}})
    conv.nothing_within(0.3)  # no frame: nothing was rebuilt
    frame = conv.step()
    assert (frame["run"], frame["step"]) == (1, 4) and scalar_steps(frame) == [4]
    trainer = reference(3)
    trainer.reconfigure({"training": {"learning_rate": 0.1}})
    trainer.step()
    assert frame["metrics"] == trainer.evaluate()  # continued from step 3's weights


def test_configure_rebuild_starts_a_new_run(conv):
    conv.step(5)
    hidden = [{"units": 5, "activation": "relu"}]
    conv.send({"type": "configure", "config": {"network": {"hidden": hidden}}, "id": "cfg"})
    reply = conv.expect("config", id="cfg", reset=True, pending=False)
    assert reply["fields"] == ["network.hidden"]
    assert reply["config"]["network"]["hidden"] == hidden  # lists replace whole
    assert reply["config"] == merge(DEFAULT, {"network": {"hidden": hidden}})
    frame = conv.expect("frame")
    assert (frame["run"], frame["step"], frame["epoch"]) == (2, 0, 0)
    check_scalars(frame, [])
    assert [l["fan_out"] for l in frame["layers"]] == [5, 1]
    assert frame["metrics"] == Trainer(reply["config"]).evaluate()
    assert scalar_steps(conv.step()) == [1]


def test_configure_to_a_sequence_set_rebuilds_and_its_frame_has_no_points_but_the_sequence_part(conv):
    conv.step(2)
    sequences = {"dataset": {"name": "adding", "seq_len": 5},
                 "network": {"hidden": [{"kind": "lstm", "units": 4}]}, "training": {"loss": "mse"}}
    conv.send({"type": "configure", "config": sequences, "id": 12})
    reply = conv.expect("config", id=12, reset=True)
    assert reply["config"]["dataset"]["seq_len"] == 5 and reply["config"]["network"]["recurrent_init"] == "orthogonal"
    frame = conv.expect("frame", id=12)
    assert (frame["run"], frame["step"], frame["points"]) == (2, 0, None)
    trainer = Trainer(reply["config"])
    predictions = frame["detail"]["sequence"]["predictions"]
    assert frame["detail"]["sequence"]["example"] is None
    assert predictions["kind"] == "many_to_one" and predictions["targets"] == trainer.data.y_test[:64].tolist()
    frame = conv.step()
    example = frame["detail"]["sequence"]["example"]
    assert np.array(example["x"]).shape == (5, 2) and len(example["output"]) == 1
    assert frame["detail"]["layers"][0]["recurrent"]["spectrum"]["blocks"] == ["i", "f", "g", "o"]


def test_an_image_run_streams_its_frames_with_a_pools_tensors_null(conv):
    """The page does not draw images yet (its picker offers none), but the server runs and streams
    them: what the frames carry for conv and pool entries."""
    images = {"dataset": {"name": "bars"}, "training": {"loss": "bce"},
              "network": {"hidden": [{"kind": "conv2d", "channels": 2, "padding": 1, "activation": "relu"},
                                     {"kind": "max_pool", "size": 2}]}}
    conv.send({"type": "configure", "config": images, "id": 13})
    reply = conv.expect("config", id=13, reset=True)
    assert reply["config"]["dataset"]["n_classes"] == 2
    frame = conv.expect("frame", id=13)
    assert [(l["kind"], l["out_shape"]) for l in frame["layers"][:2]] == [("conv2d", [2, 8, 8]), ("max_pool", [2, 4, 4])]
    assert frame["points"] is None
    frame = conv.step()
    conv_detail, pool_detail = frame["detail"]["layers"][:2]
    assert conv_detail["weights"]["shape"] == [2, 1, 3, 3] and unpack(conv_detail["grads"]["values"]).shape == (2, 1, 3, 3)
    assert pool_detail["weights"] is pool_detail["grads"] is pool_detail["updates"] is None
    assert len(pool_detail["neuron_act"]) == 2
    assert "output_grid" not in frame["detail"] and "sequence" not in frame["detail"]


def test_configure_is_a_deep_merge(conv):
    conv.send({"type": "configure", "config": {"training": {"momentum": 0.5}}})
    conv.expect("config", reset=False)
    conv.send({"type": "configure", "config": {"training": {"l2": 0.001}}})
    reply = conv.expect("config", reset=False)
    assert reply["config"]["training"]["momentum"] == 0.5 and reply["config"]["training"]["l2"] == 0.001


def test_configure_live_mid_phase_is_pending_until_the_update(conv):
    conv.send({"type": "phase"})
    conv.expect("phase", phase="forward", layer=0)
    conv.send({"type": "configure", "config": {"training": {"learning_rate": 0.2}}, "id": 3})
    reply = conv.expect("config", id=3, reset=False, pending=True)
    assert reply["config"]["training"]["learning_rate"] == 0.2
    frame = conv.step()  # finishes the step in progress: step 1, at the old rate
    assert frame["step"] == 1
    trainer = reference(1)
    trainer.reconfigure({"training": {"learning_rate": 0.2}})
    assert frame["metrics"] == trainer.evaluate()
    frame = conv.step()
    trainer.step()
    assert frame["metrics"] == trainer.evaluate()


# ---- play and pause -------------------------------------------------------------------------

def test_play_streams_frames_and_pause_sends_the_rest(conv):
    conv.send({"type": "speed", "fps": 30})
    conv.expect("speed")
    conv.send({"type": "play", "id": "go"})
    conv.expect("status", id="go", status="running", step=0)
    streamed = [conv.expect("frame") for _ in range(4)]
    for frame in streamed:
        assert "id" not in frame and frame["status"] == "running" and frame["run"] == 1
    steps = [f["step"] for f in streamed]
    assert steps == sorted(steps) and steps[0] < steps[-1]
    conv.send({"type": "pause", "id": "stop"})
    rest = conv.until(lambda m: m["type"] == "status")
    status = rest[-1]
    assert status["status"] == "paused" and status["reason"] == "client"
    assert status["id"] == "stop"
    assert rest[-2]["type"] == "frame" and rest[-2]["status"] == "paused"
    assert rest[-2]["step"] == status["step"]
    assert {m["type"] for m in rest[:-1]} == {"frame"}
    assert_every_step_once(streamed + rest[:-1])
    conv.nothing_within(0.3)  # paused: no more frames
    assert scalar_steps(conv.step()) == [status["step"] + 1]


@pytest.mark.parametrize("change", [
    {"type": "configure", "config": {"network": {"hidden": [{"units": 3}]}}},
    {"type": "reset"},
], ids=["rebuild", "reset"])
def test_a_new_run_while_playing_streams_the_new_run_from_step_one(conv, change):
    conv.send({"type": "play"})
    conv.expect("status", status="running")
    conv.until(lambda m: m["type"] == "frame" and m["step"] > 0)
    conv.send(change)
    messages = conv.until(lambda m: m["type"] == "config")
    assert messages[-1]["reset"] is True
    first = conv.expect("frame", run=2, step=0)
    assert first["scalars"]["count"] == 0
    frames = [first] + [conv.expect("frame", run=2, status="running") for _ in range(3)]
    conv.send({"type": "pause"})
    rest = conv.until(lambda m: m["type"] == "status" and m["status"] == "paused")
    frames += frames_of(rest)
    assert all(f["run"] == 2 for f in frames)
    assert_every_step_once(frames)


def test_ack_mode_holds_frames_until_acknowledged(client):
    # /ws?ack=1: a frame is in flight until the client's `ack`; at most 3 are.
    with client.websocket_connect("/ws?ack=1") as ws:
        conv = Conversation(ws)
        conv.open()
        conv.send({"type": "ack", "id": "a"})  # the first frame; an ack gets no reply
        conv.send({"type": "play"})
        conv.expect("status", status="running")
        frames = [conv.expect("frame") for _ in range(3)]
        conv.nothing_within(0.5)  # three unacknowledged frames: no fourth
        conv.send({"type": "ack"})
        frames.append(conv.expect("frame"))  # one ack, one more frame
        conv.nothing_within(0.3)
        for _ in range(3):  # one per unacknowledged frame (f2, f3, f4)
            conv.send({"type": "ack"})
        conv.send({"type": "pause"})
        rest = conv.until(lambda m: m["type"] == "status" and m["status"] == "paused")
        frames += frames_of(rest)
        assert all(m["type"] in ("frame", "status") for m in conv.log[1:])  # no reply to acks
        assert_every_step_once(frames)


def test_detail_heavy_sends_detail_only_with_the_heavy_parts(client):
    # /ws?detail=heavy: light frames carry the scalars and metrics but no `detail`; frames with the
    # heavy parts (every heavy_interval while playing, and every answer) carry all of it
    with client.websocket_connect("/ws?detail=heavy") as ws:
        conv = Conversation(ws)
        _, first = conv.open()
        assert set(first["detail"]) >= {"layers", "output_grid", "neuron_maps"} and "health" in first
        conv.send({"type": "play"})
        conv.expect("status", status="running")
        played = [conv.expect("frame") for _ in range(12)]
        conv.send({"type": "pause", "id": 5})
        rest = conv.until(lambda m: m["type"] == "status" and m["status"] == "paused")
        answer = frames_of(rest)[-1]
        assert answer["id"] == 5 and answer["status"] == "paused"
        for f in played + [answer]:
            heavy = "health" in f
            assert ("detail" in f) == heavy, (f["step"], sorted(f))
            if heavy:
                assert f["detail"]["step"] == f["step"] and {"output_grid", "neuron_maps"} <= set(f["detail"])
            # the pause's answer may come right after a frame, with no step since (messages are
            # answered ahead of training): every frame while playing carries new steps
            assert (f["scalars"]["count"] > 0 or f is answer) and f["metrics"]["train_loss"] is not None
        assert any("detail" not in f for f in played) and any("detail" in f for f in played[1:])
        assert "detail" in answer
        assert_every_step_once(played + frames_of(rest))


@pytest.mark.parametrize("query", ["detail=every", "detail=nonsense", ""])
def test_detail_every_or_unknown_sends_detail_in_every_frame(client, query):
    with client.websocket_connect(f"/ws?{query}") as ws:
        conv = Conversation(ws)
        conv.open()
        if query == "detail=nonsense":  # named, and the default kept
            error = conv.expect("error", field=None)
            assert "detail='nonsense'" in error["message"] and "every, heavy" in error["message"]
        conv.send({"type": "play"})
        conv.expect("status", status="running")
        played = [conv.expect("frame") for _ in range(6)]
        conv.send({"type": "pause"})
        played += frames_of(conv.until(lambda m: m["type"] == "status" and m["status"] == "paused"))
        assert all("detail" in f and f["detail"]["step"] == f["step"] for f in played)


def test_pause_when_paused_sends_only_its_status(conv):
    conv.send({"type": "pause", "id": 4})
    conv.expect("status", id=4, status="paused", step=0, reason="client")
    conv.nothing_within(0.2)


def test_speed_cap_limits_training(conv):
    conv.send({"type": "speed", "steps_per_second": 40, "id": 1})
    conv.expect("speed", id=1, fps=30.0, steps_per_second=40.0)
    conv.send({"type": "play"})
    conv.expect("status", status="running")
    try:
        frames = conv.until(lambda m: m["type"] == "frame" and m["step"] >= 20, timeout=5)
    except TimeoutError:
        raise AssertionError("no frames while playing under a speed cap (did the training "
                             "thread die?)") from None
    conv.send({"type": "pause"})
    status = conv.until(lambda m: m["type"] == "status")[-1]
    assert 20 <= status["step"] <= 60  # ~0.5 s at 40 steps/s, not thousands
    assert frames
    conv.send({"type": "speed", "steps_per_second": None, "id": 2})
    conv.expect("speed", id=2, fps=30.0, steps_per_second=None)


def test_speed_replies(conv):
    conv.send({"type": "speed", "fps": 10, "id": "s"})
    assert conv.recv() == {"type": "speed", "id": "s", "fps": 10.0, "steps_per_second": None}
    conv.send({"type": "speed", "steps_per_second": 250.5})
    assert conv.recv() == {"type": "speed", "fps": 10.0, "steps_per_second": 250.5}
    conv.send({"type": "speed"})  # nothing given: nothing changes
    assert conv.recv() == {"type": "speed", "fps": 10.0, "steps_per_second": 250.5}
    conv.send({"type": "speed", "steps_per_second": None})  # null lifts the cap
    assert conv.recv() == {"type": "speed", "fps": 10.0, "steps_per_second": None}


# ---- phase ----------------------------------------------------------------------------------

PHASES = [("forward", 0, "dense1"), ("forward", 1, "dense2"), ("forward", 2, "dense3"),
          ("loss", None, None), ("backward", 2, "dense3"), ("backward", 1, "dense2"),
          ("backward", 0, "dense1"), ("update", None, None)]
TENSORS = [
    {"x": [10, 2], "z": [10, 4], "a": [10, 4]},
    {"x": [10, 4], "z": [10, 2], "a": [10, 2]},
    {"x": [10, 2], "z": [10, 1], "a": [10, 1]},
    {"output": [10, 1], "losses": [10], "dout": [10, 1]},
    {"da": [10, 1], "dz": [10, 1], "dW": [2, 1], "db": [1], "dx": [10, 2]},
    {"da": [10, 2], "dz": [10, 2], "dW": [4, 2], "db": [2], "dx": [10, 4]},
    {"da": [10, 4], "dz": [10, 4], "dW": [2, 4], "db": [4]},  # no dx: the first layer
    {"dense1.W": [2, 4], "dense1.b": [4], "dense2.W": [4, 2], "dense2.b": [2],
     "dense3.W": [2, 1], "dense3.b": [1]},
]


def test_phases_in_order_with_their_tensors(conv):
    trainer = Trainer()
    for n, ((phase, layer, name), shapes) in enumerate(zip(PHASES, TENSORS)):
        conv.send({"type": "phase", "id": n})
        reply = conv.expect("phase", id=n, phase=phase, layer=layer, layer_name=name, step=1)
        expected = trainer.phase()
        if (phase, layer) == ("backward", 0):  # its stray `dx`: test_first_layer_backward_phase_has_no_dx
            reply["tensors"].pop("dx", None)
        assert {k: v["shape"] for k, v in reply["tensors"].items()} == shapes, (phase, layer)
        for key, tensor in reply["tensors"].items():
            assert "summarized" not in tensor
            assert tensor["values"]["dtype"] == "float32"
            assert unpack(tensor["values"]).tolist() == f32(expected.tensors[key]).tolist(), key
    frame = conv.expect("frame")
    assert (frame["step"], frame["status"]) == (1, "paused")
    check_scalars(frame, [1])
    assert frame["metrics"] == trainer.evaluate()
    conv.send({"type": "phase"})
    conv.expect("phase", phase="forward", layer=0, step=2)


def test_first_layer_backward_phase_has_no_dx(conv):
    # docs/protocol.md: `dx` is "absent for the first layer" (not a 1-element NaN tensor).
    for _ in range(7):
        conv.send({"type": "phase"})
        reply = conv.expect("phase")
    assert (reply["phase"], reply["layer"]) == ("backward", 0)
    assert "dx" not in reply["tensors"], reply["tensors"].get("dx")


def test_step_mid_phase_finishes_the_step_in_progress_first(conv):
    for _ in range(3):
        conv.send({"type": "phase"})
        conv.expect("phase", step=1)
    frame = conv.step(3)
    assert frame["step"] == 3 and scalar_steps(frame) == [1, 2, 3]
    assert frame["metrics"] == reference(3).evaluate()  # phases leave the same state
    conv.send({"type": "phase"})
    conv.expect("phase", phase="forward", layer=0, step=4)


def test_phase_while_playing_pauses(conv):
    conv.send({"type": "play"})
    conv.expect("status", status="running")
    conv.expect("frame")
    conv.send({"type": "phase", "id": "ph"})
    messages = conv.until(lambda m: m["type"] == "phase")
    phase = messages[-1]
    assert phase["id"] == "ph" and phase["phase"] == "forward" and phase["layer"] == 0
    conv.nothing_within(0.3)  # the play loop stopped: no more frames
    frames = frames_of(messages)
    done = frames[-1]["step"] if frames else 0
    assert phase["step"] > done  # the steps done while playing come before the phase


# ---- reset and export ---------------------------------------------------------------------

def test_reset_starts_a_new_run_at_step_zero(conv):
    conv.step(5)
    conv.send({"type": "configure", "config": {"training": {"learning_rate": 0.05}}})
    conv.expect("config", reset=False)
    conv.send({"type": "reset", "id": "r"})
    reply = conv.expect("config", id="r", reset=True, fields=[], pending=False)
    assert reply["config"] == merge(DEFAULT, {"training": {"learning_rate": 0.05}})
    frame = conv.expect("frame")
    assert (frame["run"], frame["step"], frame["epoch"]) == (2, 0, 0)
    check_scalars(frame, [])
    assert frame["metrics"] == conv.first_frame["metrics"]  # the same seed: the same init
    assert scalar_steps(conv.step()) == [1]


def test_export_sends_the_trace(conv):
    frame = conv.step(4)
    conv.send({"type": "export", "id": "e"})
    reply = conv.expect("trace", id="e")
    trace = reply["trace"]
    assert trace["format"] == "backprop-lab-trace" and trace["version"] == 1
    assert trace["config"] == DEFAULT
    assert trace["layers"] == frame["layers"]
    assert [s["step"] for s in trace["steps"]] == [1, 2, 3, 4]
    assert f32([s["loss"] for s in trace["steps"]]).tolist() == unpack(frame["scalars"]["loss"]).tolist()
    assert set(trace["data"]) == {"x_train", "y_train", "x_test", "y_test"}
    assert len(trace["data"]["x_train"]) == 250


# ---- ids ---------------------------------------------------------------------------------

@pytest.mark.parametrize("message_id", [0, 42, "abc", ""])
def test_ids_are_echoed_on_every_reply(conv, message_id):
    conv.send({"type": "speed", "fps": 20, "id": message_id})
    conv.expect("speed", id=message_id)
    conv.send({"type": "step", "count": 2, "id": message_id})
    conv.expect("frame", id=message_id)
    conv.send({"type": "phase", "id": message_id})
    conv.expect("phase", id=message_id)
    conv.send({"type": "export", "id": message_id})
    conv.expect("trace", id=message_id)
    conv.send({"type": "configure", "config": {"training": {"l2": 0.1}}, "id": message_id})
    conv.expect("config", id=message_id)
    conv.send({"type": "play", "id": message_id})
    conv.expect("status", id=message_id, status="running")
    conv.send({"type": "step", "count": 0, "id": message_id})
    conv.until(lambda m: m["type"] == "error" and m.get("id") == message_id)


@pytest.mark.parametrize("kind", ["pause", "reset", "configure rebuild", "phase update"])
def test_frames_that_answer_a_message_echo_its_id(conv, kind):
    # docs/protocol.md: "Every reply it causes carries the same `id`"; its table lists these
    # frames among the replies of pause, reset, a rebuilding configure and the update phase.
    conv.step(2)
    if kind == "pause":
        conv.send({"type": "play"})
        conv.expect("status", status="running")
        conv.expect("frame")
        conv.send({"type": "pause", "id": 99})
        messages = conv.until(lambda m: m["type"] == "status")
        assert messages[-1]["id"] == 99
        answer = messages[-2]
    elif kind == "reset":
        conv.send({"type": "reset", "id": 99})
        conv.expect("config", id=99)
        answer = conv.expect("frame", step=0)
    elif kind == "configure rebuild":
        conv.send({"type": "configure", "config": {"network": {"hidden": [{"units": 3}]}},
                   "id": 99})
        conv.expect("config", id=99, reset=True)
        answer = conv.expect("frame", step=0)
    else:
        for _ in range(7):
            conv.send({"type": "phase"})
            conv.expect("phase")
        conv.send({"type": "phase", "id": 99})
        conv.expect("phase", phase="update", id=99)
        answer = conv.expect("frame", step=3)
    assert answer["type"] == "frame"
    echoed = answer.get("id")
    assert echoed == 99, f"{kind}'s frame has no id"


# ---- errors ------------------------------------------------------------------------------

OVER = 64 * 1024 + 1

ERRORS = [
    # (name, raw message, expected field, words in the message, echoed id)
    ("invalid json", "{type: step}", None, "not valid json", None),
    ("NaN is not JSON", '{"type": "step", "count": NaN}', None, "not valid json", None),
    ("truncated", '{"type": "step"', None, "not valid json", None),
    ("array", "[1, 2]", None, "json object", None),
    ("string", '"play"', None, "json object", None),
    ("number", "7", None, "json object", None),
    ("null", "null", None, "json object", None),
    ("unknown type", {"type": "fly", "id": 5}, "type", "unknown message type", 5),
    ("missing type", {"count": 1, "id": "m"}, "type", "unknown message type", "m"),
    ("type not a string", {"type": 3}, "type", "unknown message type", None),
    ("count as string", {"type": "step", "count": "5", "id": 1}, "count", "count", 1),
    ("count zero", {"type": "step", "count": 0, "id": 2}, "count", "count", 2),
    ("count negative", {"type": "step", "count": -3}, "count", "count", None),
    ("count over limit", {"type": "step", "count": 100_001}, "count", "count", None),
    ("count true", {"type": "step", "count": True}, "count", "count", None),
    ("count float", {"type": "step", "count": 2.0}, "count", "count", None),
    ("count null", {"type": "step", "count": None}, "count", "count", None),
    ("extra field", {"type": "play", "speed": 3, "id": 3}, "speed", "extra", 3),
    ("extra field on step", {"type": "step", "count": 1, "n": 2}, "n", "extra", None),
    ("fps zero", {"type": "speed", "fps": 0}, "fps", "fps", None),
    ("fps over 60", {"type": "speed", "fps": 61}, "fps", "fps", None),
    ("fps string", {"type": "speed", "fps": "10"}, "fps", "fps", None),
    ("steps_per_second zero", {"type": "speed", "steps_per_second": 0}, "steps_per_second",
     "steps_per_second", None),
    ("config missing", {"type": "configure"}, "config", "config", None),
    ("config not an object", {"type": "configure", "config": [1]}, "config", "config", None),
    ("invalid config", {"type": "configure", "id": 8,
                        "config": {"network": {"hidden": [{"units": 0}]}}},
     "network.hidden.0.units", "at least 1", 8),
    ("too many layers", {"type": "configure", "config": {"network": {"hidden": [{"units": 2}] * 33}}},
     "network.hidden", "at most 32", None),
    ("unknown config field", {"type": "configure", "config": {"bogus": 1}}, "bogus", "unknown", None),
    ("negative learning rate", {"type": "configure", "config": {"training": {"learning_rate": -1}}},
     "training.learning_rate", "greater than", None),
    # an id that cannot be one is not echoed (it could be anything, e.g. deeply nested)
    ("id of a wrong type", {"type": "play", "id": [1]}, "id", "id", None),
    ("id true", {"type": "play", "id": True}, "id", "id", None),
    ("over max_message_bytes", json.dumps({"type": "play", "pad": "x" * OVER}), None, "limit", None),
    ("over max_message_bytes in UTF-8 bytes",
     json.dumps({"type": "play", "pad": "€" * (OVER // 3 + 1)}, ensure_ascii=False), None, "limit",
     None),
    ("binary", b'{"type": "step"}', None, "binary", None),
]


@pytest.mark.parametrize("name, raw, field, words, message_id", ERRORS, ids=[e[0] for e in ERRORS])
def test_a_refused_message_gets_one_error_and_changes_nothing(conv, name, raw, field, words,
                                                              message_id):
    before = conv.step(2)
    conv.send(raw)
    error = conv.expect("error")
    assert error["field"] == field, summary(error)
    assert words in error["message"].lower(), error["message"]
    assert error.get("id") == message_id
    assert set(error) <= {"type", "message", "field", "id"}
    conv.nothing_within(0.3)  # one reply; no play loop started, no frame
    after = conv.step()  # the connection is open and nothing changed
    assert (after["run"], after["step"], after["status"]) == (1, 3, "paused")
    assert scalar_steps(after) == [3]
    assert after["metrics"] == reference(3).evaluate()
    conv.send({"type": "configure", "config": {}})
    assert conv.expect("config", reset=False)["config"] == DEFAULT
    assert before["run"] == after["run"]


def test_an_error_does_not_stop_a_playing_session(conv):
    conv.send({"type": "play"})
    conv.expect("status", status="running")
    conv.send({"type": "step", "count": "x", "id": "bad"})
    messages = conv.until(lambda m: m["type"] == "error")
    assert messages[-1]["id"] == "bad"
    conv.expect("frame", status="running")
    conv.send({"type": "pause"})
    conv.until(lambda m: m["type"] == "status" and m["status"] == "paused")


# ---- divergence --------------------------------------------------------------------------

def diverge(conv, message_id=9) -> list[dict]:
    """Configure the exploding net and step it until refused; the messages up to `diverged`."""
    conv.send({"type": "configure", "config": EXPLODE})
    conv.expect("config", reset=True)
    conv.expect("frame", step=0, run=2)
    conv.send({"type": "step", "count": 50, "id": message_id})
    return conv.until(lambda m: m["type"] == "status")


def test_divergence_is_reported_where_it_happened(conv):
    messages = diverge(conv)
    status = messages[-1]
    assert status == {"type": "status", "id": 9, "status": "diverged", "step": 3,
                      "phase": "forward", "layer": 1, "layer_name": "dense2", "quantity": "z",
                      "where": "dense2's z (forward pass)",
                      "advice": "lower the learning rate or turn on gradient clipping"}
    frame = messages[0]
    assert frame["type"] == "frame" and frame["id"] == 9
    assert frame["step"] == 2 and scalar_steps(frame) == [1, 2]  # step 3 refused whole
    assert frame["status"] == "paused"
    weights = [unpack(layer["weights"]["values"]) for layer in frame["detail"]["layers"]]
    assert not any(np.isnan(w).any() for w in weights)
    # strict JSON: the non-finite full-set loss travels as null
    assert frame["metrics"]["train_loss"] is None and frame["metrics"]["test_loss"] is None
    # refusing again is stable: the same step, the same place
    conv.send({"type": "step", "id": 10})
    again = conv.until(lambda m: m["type"] == "status")
    assert again[-1]["step"] == 3 and again[-1]["layer_name"] == "dense2"
    assert frames_of(again)[0]["step"] == 2
    after = [unpack(layer["weights"]["values"]) for layer in frames_of(again)[0]["detail"]["layers"]]
    for w, a in zip(weights, after):  # the refused step left the weights as they were
        assert w.tobytes() == a.tobytes()


def test_diverged_weights_are_finite_in_the_frame(conv):
    # The engine keeps the weights finite (float64); the run's ~1e39 weights are beyond float32,
    # so the frame packs them as float64: the client can tell "huge" from "non-finite".
    messages = diverge(conv)
    for layer in messages[0]["detail"]["layers"]:
        values = unpack(layer["weights"]["values"])
        assert np.isfinite(values).all(), f"{int((~np.isfinite(values)).sum())} weights sent as inf"


@pytest.mark.parametrize("how", ["step", "phase"])
def test_a_refused_step_gets_one_frame_then_its_status(conv, how):
    # docs/protocol.md: step -> "one `frame` ...; `status diverged` after it"; phase -> "after
    # the `update` phase also a `frame` (and `status diverged` ...)": one frame, not two.
    if how == "step":
        messages = diverge(conv)
    else:
        conv.send({"type": "configure", "config": EXPLODE})
        conv.expect("config")
        conv.expect("frame")
        conv.step(2)
        for _ in range(2 * 21 + 1):
            conv.send({"type": "phase"})
            conv.expect("phase")
        conv.send({"type": "phase", "id": 9})
        conv.expect("phase", phase="update", step=3)
        messages = conv.until(lambda m: m["type"] == "status")
    assert [m["type"] for m in messages] == ["frame", "status"], [summary(m) for m in messages]
    assert messages[-1]["status"] == "diverged" and messages[-1]["id"] == 9


def test_after_divergence_clipping_and_reset_train_finitely(conv):
    diverge(conv)
    conv.send({"type": "configure", "config": {"training": {"clip": "norm"}}, "id": 1})
    reply = conv.expect("config", id=1, reset=False, fields=[])
    assert reply["config"]["training"]["clip"] == "norm"
    conv.send({"type": "reset"})
    conv.expect("config", reset=True)
    conv.expect("frame", step=0, run=3)
    conv.send({"type": "step", "count": 50, "id": 2})
    frame = conv.expect("frame", id=2, step=50)
    assert finite_tree(frame["metrics"]), frame["metrics"]
    assert_every_step_once([frame])
    assert np.isfinite(unpack(frame["scalars"]["loss"])).all()
    assert (unpack(frame["scalars"]["clip_norm_after"]) <= 1.0 + 1e-6).all()
    conv.nothing_within(0.3)  # no `diverged`


def test_play_into_divergence_pauses_and_streams_strict_json(conv):
    conv.send({"type": "configure", "config": EXPLODE})
    conv.expect("config")
    conv.expect("frame")
    conv.send({"type": "play"})
    conv.expect("status", status="running")
    messages = []
    while not messages or messages[-1]["type"] != "status":
        messages.append(conv.recv())  # strict JSON: parse_constant refuses NaN and Infinity
    assert messages[-1]["status"] == "diverged" and messages[-1]["step"] == 3
    assert "id" not in messages[-1]
    assert messages[-2]["type"] == "frame" and messages[-2]["step"] == 2
    assert_every_step_once(frames_of(messages))
    assert messages[-2]["metrics"]["train_loss"] is None  # a non-finite loss travels as null
    conv.nothing_within(0.3)  # paused by the refusal


# ---- HTTP -------------------------------------------------------------------------------

def test_health(client, connect):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] == version("backprop-lab")
    assert body["sessions"] == 0
    with connect():
        assert client.get("/api/health").json()["sessions"] == 1


def test_catalog_route(client):
    response = client.get("/api/catalog")
    assert response.status_code == 200
    assert response.json() == roundtrip(catalog())


def test_openapi(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Backprop Lab"
    assert {"/api/health", "/api/catalog"} <= set(spec["paths"])


def test_index_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


def test_plotly_is_served_locally(client):
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert len(response.content) > 3_000_000
    assert b"plotly" in response.content[:2000].lower()
    head = client.head("/vendor/plotly.min.js")
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(response.content)


def test_heavy_frames_carry_every_health_badge(conv):
    frame = conv.step(5)
    badges = {b["id"]: b for b in frame["health"]}
    assert list(badges) == ["vanishing", "exploding", "saturated", "dead", "update_ratio", "diverged"]
    assert badges["dead"]["status"] == "unknown"  # the default net has no ReLU
    assert badges["diverged"]["status"] == "ok" and badges["vanishing"]["value"] > 0
    for b in badges.values():
        assert {"label", "threshold", "source", "why", "try", "layers"} <= set(b)
