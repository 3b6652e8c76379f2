"""A sequence net's frames carry every step's statistics through time (issue 14, point 4),
column-wise beside the per-layer scalars; a points net's frames carry none."""
import numpy as np

from engine import Trainer
from server import frames
from server.encoding import unpack
from server.replies import SERVER_ADAPTER, Frame, reply

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
