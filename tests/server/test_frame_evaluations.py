"""Frames carry every scheduled full-set evaluation (docs/protocol.md, `frame.evaluations`): the
same run gives the same points however many steps run between two frames."""
import numpy as np

from engine import Trainer
from engine.evaluations import METRICS, due
from server.encoding import unpack


def evaluation_columns(frames: list[dict]) -> dict:
    """The frames' `evaluations`, concatenated: {step: [...], metric: [...]}."""
    out = {name: [] for name in ("step", *METRICS)}
    for f in frames:
        e = f["evaluations"]
        for name in out:
            values = unpack(e[name])
            assert values.shape == (e["count"],), name
            out[name] += values.tolist()
    return out


def test_the_first_frame_carries_the_evaluation_at_step_0(conv):
    e = evaluation_columns([conv.first_frame])
    expected = Trainer().evaluate()
    assert e["step"] == [0]
    assert conv.first_frame["evaluations"]["step"]["dtype"] == "int32"
    assert {k: e[k][0] for k in METRICS} == {k: float(np.float32(v)) for k, v in expected.items()}


def test_one_long_step_and_many_short_ones_give_the_same_evaluations(connect):
    with connect() as fast, connect() as slow:
        one = evaluation_columns([fast.first_frame, fast.step(300)])
        many = evaluation_columns([slow.first_frame] + [slow.step(10) for _ in range(30)])
    assert one["step"] == many["step"] == [s for s in range(301) if due(s)]
    assert len(one["step"]) == 134  # not two points: a curve
    assert one == many
    reference = Trainer()
    reference.run(296)  # the last scheduled step up to 300 (every 8th from 256 on)
    assert one["step"][-1] == 296 and one["train_loss"][-1] == float(np.float32(reference.evaluate()["train_loss"]))


def test_a_new_run_sends_its_evaluations_from_step_0(conv):
    conv.step(5)
    conv.send({"type": "reset"})
    conv.expect("config", reset=True)
    frame = conv.expect("frame", run=2, step=0)
    assert evaluation_columns([frame])["step"] == [0]
    assert evaluation_columns([conv.step(2)])["step"] == [1, 2]


def test_a_frame_between_scheduled_steps_carries_none(conv):
    conv.step(64)
    frame = conv.step(1)  # step 65: the schedule takes every other step from 64 on
    assert frame["evaluations"]["count"] == 0 and evaluation_columns([frame])["step"] == []
    assert frame["metrics"]["train_loss"] is not None  # the readout's metrics still come at every frame
