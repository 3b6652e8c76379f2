"""Messages that drive training: play, pause (and the idle pause), step, phase, speed."""
import time
from typing import Literal

from pydantic import Field

from .. import frames
from ..replies import PhaseReply, SpeedReply, Status
from .registry import ClientMessage, handles

MAX_STEP_COUNT = 100_000


class Play(ClientMessage):
    type: Literal["play"]


@handles(Play)
def play(session, m: Play) -> None:
    """Start training flat out (or at the speed cap); frames follow at `fps`."""
    session.playing = True
    session.cap.restart()
    session.next_frame = time.monotonic() + 1.0 / session.fps
    session.outbox.send(Status, m.id, status="running", step=session.trainer.steps)


class Pause(ClientMessage):
    type: Literal["pause"]


@handles(Pause, urgent=True)
def pause(session, m, reason: str = "client") -> None:
    """Stop training; a frame with the steps not yet sent, then `status paused`."""
    was_playing, session.playing = session.playing, False
    if was_playing or session.trainer.steps != session.outbox.sent_step:
        session.send_frame(heavy=True, message_id=m.id)
    session.outbox.send(Status, m.id, status="paused", step=session.trainer.steps, reason=reason)


class Idle(ClientMessage):
    """The connection's own message: the client sent nothing for the idle time."""
    type: Literal["idle"]


@handles(Idle, urgent=True, from_client=False)
def idle(session, m: Idle) -> None:
    """Pause a playing session, saying why."""
    session.idle_pause_queued = False
    if session.playing:
        pause(session, m, reason="idle")


class Step(ClientMessage):
    type: Literal["step"]
    count: int = Field(1, ge=1, le=MAX_STEP_COUNT)


@handles(Step)
def step(session, m: Step) -> None:
    """Pause, then run `count` steps over the next turns (server.turns), one frame at the end."""
    session.playing = False
    session.stepping = [m.count, m.id]


class Phase(ClientMessage):
    type: Literal["phase"]


@handles(Phase)
def phase(session, m: Phase) -> None:
    """Pause and run the next phase of the step in progress; its update also sends a frame."""
    session.playing = False
    trainer = session.trainer
    p = trainer.phase()
    name = None if p.layer is None else trainer.layers[p.layer]["name"]
    time_step = {} if p.t is None else {"t": p.t}  # a recurrent entry's phases: one per time step
    if p.through_time is not None:
        time_step["through_time"] = frames.phase_through_time(p.through_time)
    session.outbox.send(PhaseReply, m.id, phase=p.phase, layer=p.layer, layer_name=name, step=p.step,
                        tensors=frames.phase_tensors(p.tensors), **time_step)
    if p.phase == "update":
        session.stepped(p.record)
        session.send_frame(heavy=True, message_id=m.id)
        if not p.record.applied:
            session.diverged(p.record, m.id, frame=False)


class Speed(ClientMessage):
    type: Literal["speed"]
    fps: float | None = Field(None, ge=1, le=60, description="frames per second while playing")
    steps_per_second: float | None = Field(None, ge=0.1, le=1e6,
                                           description="training speed cap; null (sent) lifts it")


@handles(Speed)
def speed(session, m: Speed) -> None:
    """Set the frame rate and the speed cap (each only when sent)."""
    if m.fps is not None:
        session.fps = m.fps
    if "steps_per_second" in m.model_fields_set:
        session.cap.steps_per_second = m.steps_per_second
        session.cap.restart()
    session.outbox.send(SpeedReply, m.id, fps=session.fps, steps_per_second=session.cap.steps_per_second)
