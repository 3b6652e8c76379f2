"""Messages that read the run without changing it: export and explain."""
from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

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
    layer: int = Field(ge=0, description="index into the trace's layers")
    param: str | None = Field(None, max_length=16, description="the parameter: W, b, gamma, beta, W_x, W_h, K "
                                                               "(default: the layer's first)")
    index: list[int] | None = Field(None, max_length=4,
                                    description="the element, e.g. [row, column], [o, c, u, v] of K")
    row: int | None = Field(None, ge=0, description="W's row: the input unit (index[0])")
    column: int | None = Field(None, ge=0, description="W's column: the output unit (index[1])")
    example: int = Field(0, ge=0, description="the batch example whose term is written out")

    @model_validator(mode="after")
    def _one_element(self) -> "Explain":
        if (self.row is None) != (self.column is None):
            raise PydanticCustomError("element", "row and column come together")
        if self.index is None and self.row is None:
            raise PydanticCustomError("element", "name the element by index (or by row and column)")
        if self.index is not None and self.row is not None:
            raise PydanticCustomError("element", "name the element by index or by row and column, not both")
        return self

    @property
    def element(self) -> tuple:
        """The element's index in its parameter tensor."""
        return tuple(self.index) if self.index is not None else (self.row, self.column)


@handles(Explain)
def explain(session, m: Explain) -> None:
    """One parameter's gradient as the chain rule builds it, or an error naming what is missing."""
    try:
        body = session.trainer.explain(m.layer, m.element, m.example, m.param)
    except ExplainError as exc:
        session.outbox.send(Error, m.id, message=f"explain: {exc}", field=None)
        return
    session.outbox.send(ExplainReply, m.id, step=session.trainer.steps, **body)
