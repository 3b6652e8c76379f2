"""The instruments over /ws (issue 16, points 2-4): `gradcheck`, `line` and `sharpness` answered
field by field as the engine measures the same run, refused with an error naming the field, and
never changing the run (a run with every instrument in the middle equals one without, bitwise)."""
import json

import pytest

from engine import Trainer
from engine.gradcheck import gradcheck
from engine.loss_line import loss_line
from engine.sharpness import sharpness

CONFIG = {"seed": 3, "network": {"hidden": [{"units": 5, "activation": "relu"}] * 2, "dropout": 0.2},
          "training": {"optimizer": "adam"}}


@pytest.fixture
def run_conv(connect):
    """A conversation on CONFIG after 4 steps."""
    with connect() as conversation:
        configure(conversation)
        conversation.step(4)
        yield conversation


def configure(conversation, config=CONFIG) -> None:
    conversation.send({"type": "configure", "config": config, "id": "config"})
    conversation.expect("config", id="config", reset=True)
    conversation.expect("frame", id="config")


def engine_twin(steps=4) -> Trainer:
    trainer = Trainer(CONFIG)
    trainer.run(steps)
    return trainer


def test_gradcheck_reply_is_the_engines_field_by_field(run_conv):
    run_conv.send({"type": "gradcheck", "id": 1})
    reply = run_conv.expect("gradcheck")
    expected = gradcheck(engine_twin())
    assert reply == {"type": "gradcheck", "id": 1, "run": 2, "step": 4, "superseded": [], **expected}
    assert [e["name"] for e in reply["entries"]] == ["dense1"] * 2 + ["dense2"] * 2 + ["dense3"] * 2
    assert reply["dropout_off"] is True and reply["batch"] == reply["of"] == 10


def test_gradcheck_of_one_layer(run_conv):
    run_conv.send({"type": "gradcheck", "layer": 1, "id": 2})
    reply = run_conv.expect("gradcheck", id=2)
    assert reply["entries"] == gradcheck(engine_twin(), layer=1)["entries"]
    assert [(e["layer"], e["param"]) for e in reply["entries"]] == [(1, "W"), (1, "b")]


def test_line_reply_is_the_engines_field_by_field(run_conv):
    run_conv.send({"type": "line", "id": 3})
    reply = run_conv.expect("line")
    expected = loss_line(engine_twin())
    assert reply == {"type": "line", "id": 3, "run": 2, "superseded": [], **expected}
    assert reply["step"] == 4 and len(reply["alpha"]) == len(reply["loss"]) == len(reply["gradient_loss"]) == 41


def test_sharpness_reply_is_the_engines_field_by_field(run_conv):
    run_conv.send({"type": "sharpness", "iterations": 5, "id": 4})
    reply = run_conv.expect("sharpness")
    expected = sharpness(engine_twin(), iterations=5)
    assert reply == {"type": "sharpness", "id": 4, "run": 2, "superseded": [], **expected}
    assert reply["two_over_lr"] == 2 / 0.03 and reply["batch"] == 250


def test_sharpness_tracked_every_n_steps_as_training_passes_them_until_stopped(run_conv):
    run_conv.send({"type": "sharpness", "every": 5, "iterations": 3, "id": "track"})
    assert run_conv.expect("sharpness", id="track")["step"] == 4  # measured now, too
    run_conv.send({"type": "step", "count": 7})
    tracked = [m for m in run_conv.until(lambda m: m["type"] == "sharpness" and m["step"] == 10)
               if m["type"] == "sharpness"]
    assert [(m["step"], "id" in m) for m in tracked] == [(5, False), (10, False)]
    twin = engine_twin(10)
    assert tracked[-1] == {"type": "sharpness", "run": 2, "superseded": [], **sharpness(twin, iterations=3)}
    run_conv.send({"type": "reset", "id": "reset"})  # a new run is measured at its step 0
    assert run_conv.until(lambda m: m["type"] == "sharpness")[-1]["run"] == 3
    run_conv.send({"type": "sharpness", "every": 0, "id": "stop"})
    stopped = run_conv.until(lambda m: m["type"] == "sharpness" and m.get("id") == "stop")[-1]
    assert stopped["step"] == 0 and stopped["run"] == 3
    run_conv.step(10)
    run_conv.nothing_within(0.5)


@pytest.mark.parametrize("message, field, words", [
    ({"type": "gradcheck", "layer": 3}, "layer", "gradcheck: there is no layer 3; the network has 3"),
    ({"type": "gradcheck", "layer": -1}, "layer", "greater than or equal to 0"),
    ({"type": "gradcheck", "layer": True}, "layer", "valid integer"),
    ({"type": "gradcheck", "entries": 9}, "entries", "extra inputs are not permitted"),
    ({"type": "line", "alpha": [0, 1]}, "alpha", "extra inputs are not permitted"),
    ({"type": "sharpness", "iterations": 0}, "iterations", "greater than or equal to 1"),
    ({"type": "sharpness", "iterations": 10 ** 9}, "iterations", "less than or equal to 100"),
    ({"type": "sharpness", "iterations": 2.5}, "iterations", "valid integer"),
    ({"type": "sharpness", "every": -1}, "every", "greater than or equal to 0"),
])
def test_bad_requests_name_the_field_and_change_nothing(run_conv, message, field, words):
    run_conv.send({**message, "id": 5})
    error = run_conv.expect("error", id=5, field=field)
    assert words in error["message"] and error["message"].startswith(message["type"])
    assert run_conv.step(1)["step"] == 5  # the run went on from where it was


def test_no_line_before_a_step_nor_in_the_middle_of_a_phase_by_phase_one(conv):
    conv.send({"type": "line", "id": 6})
    assert conv.expect("error", id=6, field=None)["message"] == "line: no step has been applied yet"
    conv.step(1)
    conv.send({"type": "phase", "id": 7})
    conv.expect("phase", id=7)
    conv.send({"type": "line", "id": 8})
    assert conv.expect("error", id=8)["message"] == (
        "line: a step is in progress phase by phase; its line comes after its update")


def trace_after(conversation) -> str:
    conversation.send({"type": "export", "id": "export"})
    return json.dumps(conversation.expect("trace", id="export")["trace"])


def test_a_run_with_every_instrument_in_the_middle_equals_one_without_bitwise(connect):
    with connect() as probed, connect() as plain:
        for conversation in (probed, plain):
            configure(conversation)
        probed.step(5)
        probed.send({"type": "phase", "id": "p"})  # the gradient check mid-step, too
        probed.expect("phase", id="p")
        for kind in ("gradcheck", "sharpness"):
            probed.send({"type": kind, "id": kind})
            probed.expect(kind, id=kind)
        assert probed.step(4)["step"] == 9  # the step in progress is the first of the 4
        probed.send({"type": "line", "id": "line"})
        probed.expect("line", id="line", step=9)
        probed.step(6)
        plain.step(15)
        assert trace_after(probed) == trace_after(plain)
