"""The /ws protocol: one pydantic model per client message, a discriminated union, one adapter.

Server messages are built by `reply(type, **fields)`; docs/protocol.md documents both directions.
"""
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from engine.quote import quote

MAX_STEP_COUNT = 100_000
MessageId = Annotated[Union[int, str], Field(description="echoed in the reply")]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    id: MessageId | None = None


class Configure(_Message):
    type: Literal["configure"]
    config: dict = Field(description="a partial config, deep-merged into the one in force")


class Play(_Message):
    type: Literal["play"]


class Pause(_Message):
    type: Literal["pause"]


class Step(_Message):
    type: Literal["step"]
    count: int = Field(1, ge=1, le=MAX_STEP_COUNT)


class Phase(_Message):
    type: Literal["phase"]


class Reset(_Message):
    type: Literal["reset"]


class Export(_Message):
    type: Literal["export"]


class Speed(_Message):
    type: Literal["speed"]
    fps: float | None = Field(None, ge=1, le=60, description="frames per second while playing")
    steps_per_second: float | None = Field(None, ge=0.1, le=1e6,
                                           description="training speed cap; null (sent) lifts it")


class Explain(_Message):
    type: Literal["explain"]
    layer: int = Field(ge=0, description="index into the trace's layers (a dense entry)")
    row: int = Field(ge=0, description="W's row: the input unit")
    column: int = Field(ge=0, description="W's column: the output unit")
    example: int = Field(0, ge=0, description="the batch example whose term is written out")


class Ack(_Message):
    """The client applied a frame (only on connections opened with ?ack=1)."""
    type: Literal["ack"]


ClientMessage = Annotated[Union[Configure, Play, Pause, Step, Phase, Reset, Export, Speed, Explain, Ack],
                          Field(discriminator="type")]
CLIENT_ADAPTER = TypeAdapter(ClientMessage)
CLIENT_TYPES = ("configure", "play", "pause", "step", "phase", "reset", "export", "speed", "explain",
                "ack")


class ProtocolError(ValueError):
    """A message refused before it reached the session; `field` names the part at fault."""

    def __init__(self, message: str, field: str | None = None, message_id=None):
        super().__init__(message)
        self.message, self.field, self.message_id = message, field, message_id


def valid_id(message_id):
    """The id to echo: an integer or a short string, else None (never echo what cannot be one)."""
    if isinstance(message_id, bool) or not isinstance(message_id, (int, str)):
        return None
    if isinstance(message_id, str) and len(message_id) > 200:
        return None
    return message_id


def parse_message(document) -> ClientMessage:
    """Validate a decoded JSON message, or raise ProtocolError naming what is wrong."""
    if not isinstance(document, dict):
        raise ProtocolError("a message must be a JSON object with a 'type'")
    kind, message_id = document.get("type"), valid_id(document.get("id"))
    if not isinstance(kind, str) or kind not in CLIENT_TYPES:
        raise ProtocolError(f"unknown message type {quote(kind)}; expected one of "
                            f"{', '.join(CLIENT_TYPES)}", "type", message_id)
    if message_id is None and document.get("id") is not None:
        raise ProtocolError(f"{kind}: id: must be an integer or a string", "id")
    try:
        return CLIENT_ADAPTER.validate_python(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"][1:]) or None
        raise ProtocolError(f"{kind}: {field + ': ' if field else ''}{error['msg'].lower()}",
                            field, message_id) from None


def reply(kind: str, message_id=None, **fields) -> dict:
    """A server message: {type, id?, ...fields}."""
    out = {"type": kind, **fields}
    if message_id is not None:
        out["id"] = message_id
    return out
