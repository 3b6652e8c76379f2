"""Frame assembly: a session's replies and frames, built from the trainer's public API, encoded
on the trainer thread (never on the event loop) and posted to the connection."""
from engine import health

from . import frames
from .flow import FrameWindow
from .replies import Frame, reply


class Outbox:
    """Posts `(json_text, is_frame)` to the connection; tracks the run and the last step sent."""

    def __init__(self, post, window: FrameWindow, sparse_detail: bool):
        self.post, self.window = post, window
        self.sparse_detail = sparse_detail  # `detail` only in frames with the heavy parts
        self.run = 1  # bumped by every rebuild or reset: the client starts its charts anew
        self.sent_step = 0  # last step whose scalars went out in a frame
        self.sent_evaluations = 0  # scheduled evaluations of this run sent so far
        self.points_of = None  # (run, data version) of the data points the client has

    def new_run(self) -> None:
        """A rebuild or reset began a new run at step 0."""
        self.run += 1
        self.sent_step = self.sent_evaluations = 0

    def send(self, model: type, message_id=None, **fields) -> None:
        """Encode and post a reply of `model` (replies.py)."""
        self.post(frames.to_json(reply(model, message_id, **fields)), False)

    def send_frame(self, trainer, playing: bool, heavy: bool, message_id=None) -> None:
        """A frame: every step's scalars and scheduled evaluations since the last frame, metrics,
        and the latest detail."""
        columns = trainer.recorder.since(self.sent_step)
        self.sent_step = trainer.steps
        log = trainer.metric_log
        evaluations = frames.evaluations(log.since(self.sent_evaluations))
        self.sent_evaluations = len(log)
        body = reply(Frame, message_id, run=self.run, step=trainer.steps, epoch=trainer.epoch,
                     status="running" if playing else "paused",
                     scalars=frames.scalars(columns, trainer.recorder), metrics=trainer.evaluate(),
                     evaluations=evaluations, layers=trainer.layers)
        if heavy or not self.sparse_detail:
            body["detail"] = frames.detail(trainer.detail(planes=heavy))
        if heavy:
            body["health"] = health(trainer)
        if self.points_of != (self.run, trainer.data_version):  # a new run, or points drawn live
            body["points"] = frames.points(trainer.data)
            self.points_of = (self.run, trainer.data_version)
        self.window.posted()
        self.post(frames.to_json(body), True)
