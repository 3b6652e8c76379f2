"""A sequence net's frames carry every step's statistics through time (issue 14, point 4),
column-wise beside the per-layer scalars; a points net's frames carry none."""
import numpy as np

from engine import Trainer
from server import frames
from server.encoding import unpack
from server.replies import SERVER_ADAPTER, Frame, reply
from server.settings import Settings

SEQUENCE = {"dataset": {"name": "adding", "seq_len": 6, "n_samples": 40},
            "network": {"hidden": [{"kind": "rnn", "units": 3}, {"kind": "lstm", "units": 4}, {"units": 2}]},
            "training": {"loss": "mse", "batch_size": 8}}


def frame_of(trainer, scalars) -> dict:
    return reply(Frame, run=1, step=trainer.steps, epoch=trainer.epoch, status="paused", scalars=scalars,
                 metrics=trainer.evaluate(), evaluations={"count": 0}, layers=trainer.layers)


def test_frames_carry_signal_norm_by_time_and_recurrent_grad_norm_of_each_recurrent_entry():
    trainer = Trainer(SEQUENCE)
    records = []
    for _ in range(3):
        records.append(trainer.step().through_time)
    scalars = frames.scalars(trainer.recorder.since(1), trainer.recorder)
    SERVER_ADAPTER.validate_python(frame_of(trainer, scalars))
    through = scalars["through_time"]
    assert through["layers"] == [0, 1]
    signals, norms = unpack(through["signal_norm_by_time"]), unpack(through["recurrent_grad_norm"])
    assert signals.shape == (2, 2, 6) and norms.shape == (2, 2)  # steps 2 and 3, two recurrent entries
    expected = np.stack(records[1:])
    assert np.array_equal(signals, expected[:, :, :6].astype(np.float32))
    assert np.array_equal(norms, expected[:, :, 6].astype(np.float32))
    assert unpack(scalars["layers"]["grad_norm"]).shape == (2, 4)


def test_a_points_net_frame_has_no_through_time():
    trainer = Trainer({})
    trainer.run(2)
    scalars = frames.scalars(trainer.recorder.since(0), trainer.recorder)
    assert "through_time" not in scalars and unpack(scalars["loss"]).shape == (2,)


LARGEST = {"dataset": {"name": "sine", "seq_len": 100, "n_samples": 64},
           "network": {"hidden": [{"kind": "lstm", "units": 64}] * 4},
           "training": {"loss": "mse", "batch_size": 32}}


def test_a_heavy_frame_of_the_largest_sequence_net_stays_within_the_transport_bound():
    trainer = Trainer(LARGEST)
    trainer.run(2)
    body = frame_of(trainer, frames.scalars(trainer.recorder.since(0), trainer.recorder))
    body["detail"] = frames.detail(trainer.detail(planes=True))
    body["health"] = trainer.health()
    SERVER_ADAPTER.validate_python(body)
    size = len(frames.to_json(body).encode())
    assert size <= Settings().max_transport_bytes, size
    shown = body["detail"]["layers"][3]["recurrent"]
    assert len(shown["spectrum"]["real"]) == 4 and len(shown["spectrum"]["real"][0]) == 64
    states = shown["through_time"]
    assert states["h"]["shape"] == [100, 64] and states["dh"]["shape"] == [100, 64]
    assert sorted(states["gates"]) == ["f", "i", "o"] and states["gates"]["f"]["shape"] == [100, 64]


def test_recurrent_detail_as_sent_decodes_to_the_engines_values():
    trainer = Trainer(SEQUENCE)
    trainer.run(3)
    engine_detail = trainer.detail()
    sent = frames.detail(engine_detail)
    for i in (0, 1):
        states, sent_states = engine_detail["layers"][i]["recurrent"]["through_time"], sent["layers"][i]["recurrent"]["through_time"]
        assert np.array_equal(unpack(sent_states["dh"]), states["dh"].astype(np.float32))
        h = unpack(sent_states["h"])
        assert np.abs(h - states["h"]).max() <= (states["h"].max() - states["h"].min()) / 254 / 2 + 1e-12
    assert sent["layers"][0]["recurrent"]["through_time"]["gates"] is None
    assert sorted(sent["layers"][1]["recurrent"]["through_time"]["gates"]) == ["f", "i", "o"]
    spectrum = sent["layers"][1]["recurrent"]["spectrum"]
    assert spectrum["blocks"] == ["i", "f", "g", "o"]
    assert spectrum["real"][2] == engine_detail["layers"][1]["recurrent"]["spectrum"]["real"][2].tolist()
    assert sent["layers"][2]["recurrent"] is None
