"""Messages that measure the run without changing it: gradcheck, line and sharpness (the
instruments, docs/design.md "Instruments"). On the trainer thread a handler checks the request
and copies what the instrument reads (engine.run_copy); the measurement runs on the instrument
thread (server.workbench), so pauses and frames never wait for it, and a session's requests of
one kind are coalesced there."""
import logging
from typing import Literal

from pydantic import Field

from engine.gradcheck import check_layer, gradcheck
from engine.loss_line import last_applied, loss_line
from engine.probe import InstrumentError
from engine.run_copy import RunCopy
from engine.sharpness import ITERATIONS, sharpness

from ..replies import Error, GradcheckReply, LineReply, SharpnessReply
from .registry import ClientMessage, handles

log = logging.getLogger("backprop_lab")
MAX_ITERATIONS = 100  # power iterations a sharpness request may ask for
MAX_EVERY = 100_000  # steps between tracked sharpness measurements, at most


def _request(session, m, reply_model, check, measure) -> None:
    """Refuse a request the run cannot answer (an `error` naming the field), else copy the run
    now and queue its measurement: the reply, in order after the replies sent so far, carries the
    run and step it measured and the ids of the earlier requests it answers in their place."""
    try:
        check(session.trainer)
    except InstrumentError as exc:
        session.outbox.send(Error, m.id, message=f"{m.type}: {exc}", field=exc.field)
        return
    copied, run = RunCopy(session.trainer), session.outbox.run

    def job(superseded: list) -> None:
        try:
            body = {"step": copied.steps, **measure(copied)}
        except Exception:
            log.exception("session %s: %s failed", session.id, m.type)
            body = None
        if session.closed:
            return
        if body is None:
            session.outbox.send(Error, m.id, field=None, message=f"{m.type}: internal error; the run is unchanged")
        else:
            session.outbox.send(reply_model, m.id, run=run, superseded=superseded, **body)

    session.instruments.request(m.type, m.id, job)


class Gradcheck(ClientMessage):
    type: Literal["gradcheck"]
    layer: int | None = Field(None, ge=0, description="one entry of `layers` (default: every entry)")


@handles(Gradcheck)
def gradcheck_request(session, m: Gradcheck) -> None:
    """Backpropagation against central differences on the next batch, per parameter tensor."""
    _request(session, m, GradcheckReply, lambda trainer: check_layer(trainer, m.layer),
             lambda copied: gradcheck(copied, m.layer))


class Line(ClientMessage):
    type: Literal["line"]


@handles(Line)
def line_request(session, m: Line) -> None:
    """The last step's minibatch loss along its update and along the negative gradient."""
    _request(session, m, LineReply, last_applied, loss_line)


class Sharpness(ClientMessage):
    type: Literal["sharpness"]
    iterations: int = Field(ITERATIONS, ge=1, le=MAX_ITERATIONS, description="power iterations at most")
    every: int | None = Field(None, ge=0, le=MAX_EVERY, description=(
        "also measure whenever training reaches a multiple of this many steps, from now on (0: stop)"))


@handles(Sharpness)
def sharpness_request(session, m: Sharpness) -> None:
    """The loss Hessian's top eigenvalue on the fixed batch, against 2/lr; with `every`, tracked."""
    if m.every is not None:
        session.sharpness_tracking = m if m.every else None
    _request(session, m, SharpnessReply, lambda trainer: None,
             lambda copied: sharpness(copied, m.iterations))


def track_sharpness(session) -> None:
    """Measure the sharpness (a reply without id) when the session tracks it and the run has
    reached a multiple of its `every` steps (step 0 of a new run included)."""
    tracking = session.sharpness_tracking
    if tracking is not None and session.trainer.steps % tracking.every == 0:
        sharpness_request(session, tracking.model_copy(update={"id": None, "every": None}))
