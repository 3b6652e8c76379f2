"""Messages that read the run without changing it: export and explain."""
from typing import Literal

from pydantic import Field

from engine import ExplainError

from ..replies import Error, ExplainReply, TraceReply
from .registry import ClientMessage, handles


class Export(ClientMessage):
    type: Literal["export"]


@handles(Export)
def export(session, m: Export) -> None:
    """The trace (encoded on the trainer thread, not the event loop)."""
    session.outbox.send(TraceReply, m.id, trace=session.trainer.export_trace())


class Explain(ClientMessage):
    type: Literal["explain"]
    layer: int = Field(ge=0, description="index into the trace's layers (a dense entry)")
    row: int = Field(ge=0, description="W's row: the input unit")
    column: int = Field(ge=0, description="W's column: the output unit")
    example: int = Field(0, ge=0, description="the batch example whose term is written out")


@handles(Explain)
def explain(session, m: Explain) -> None:
    """One weight's gradient as the chain rule builds it, or an error naming what is missing."""
    try:
        body = session.trainer.explain(m.layer, (m.row, m.column), m.example)
    except ExplainError as exc:
        session.outbox.send(Error, m.id, message=f"explain: {exc}", field=None)
        return
    session.outbox.send(ExplainReply, m.id, step=session.trainer.steps, **body)
