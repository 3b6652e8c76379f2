"""Server-to-client messages: one TypedDict per message with a `Literal` type tag.

Replies are plain dicts built by `reply` (no validation on the hot path: a deep net's frame is
~400 KB, 30 a second per session); tests validate every message they receive with
`SERVER_ADAPTER`, and docs/protocol.md is checked against these models.
"""
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import NotRequired, TypedDict  # pydantic needs these on Python < 3.12

MessageId = Annotated[Union[int, str], Field(description="echoed in the reply")]
STRICT = ConfigDict(extra="forbid")


class Reply(TypedDict):
    """Any reply may echo the `id` of the client message that caused it."""
    id: NotRequired[MessageId]


@with_config(STRICT)
class Hello(Reply):
    """Sent once on connect, then a frame of step 0."""
    type: Literal["hello"]
    session_id: str
    version: str
    limits: dict
    catalog: dict
    config: dict


@with_config(STRICT)
class ConfigReply(Reply):
    """The normalized config in force, and whether the change rebuilt the weights."""
    type: Literal["config"]
    config: dict
    reset: bool
    fields: list[str]
    pending: bool


@with_config(STRICT)
class Frame(Reply):
    """Every step's scalars and scheduled evaluations since the last frame, the metrics, and the
    latest detail."""
    type: Literal["frame"]
    run: int
    step: int
    epoch: int
    status: Literal["running", "paused"]
    scalars: dict
    metrics: dict
    evaluations: dict
    layers: list[dict]
    detail: NotRequired[dict]
    health: NotRequired[list[dict]]
    points: NotRequired[dict | None]


@with_config(STRICT)
class PhaseReply(Reply):
    """One phase of the step in progress and the tensors it computed."""
    type: Literal["phase"]
    phase: Literal["forward", "loss", "backward", "update"]
    layer: int | None
    layer_name: str | None
    step: int
    tensors: dict
    t: NotRequired[int]
    through_time: NotRequired[dict]


@with_config(STRICT)
class Status(Reply):
    """running, paused (with its reason) or diverged (with where it happened)."""
    type: Literal["status"]
    status: Literal["running", "paused", "diverged"]
    step: int
    reason: NotRequired[Literal["client", "idle"]]
    phase: NotRequired[str]
    layer: NotRequired[int | None]
    layer_name: NotRequired[str | None]
    quantity: NotRequired[str]
    where: NotRequired[str]
    advice: NotRequired[str]


@with_config(STRICT)
class TraceReply(Reply):
    """The session's trace (DESIGN.md)."""
    type: Literal["trace"]
    trace: dict


@with_config(STRICT)
class SpeedReply(Reply):
    """The speed settings now in force."""
    type: Literal["speed"]
    fps: float
    steps_per_second: float | None


@with_config(STRICT)
class ParamReply(Reply):
    """A parameter element set by the client (a live edit, recorded in the trace's events)."""
    type: Literal["param"]
    layer: int
    layer_name: str
    param: str
    index: list[int]
    value: float
    step: int
    pending: bool


@with_config(ConfigDict(extra="allow"))
class ExplainReply(Reply):
    """One parameter's gradient as the chain rule builds it; the engine's explain fields."""
    type: Literal["explain"]
    step: int
    layer: int
    layer_name: str
    param: str
    index: list[int]
    batch_size: int
    example: int
    terms: list[float | None]
    sum: float | None
    mean: float | None
    grad: float | None
    complete: bool


class Measured(Reply):
    """What every instrument's reply carries: the run (outbox's counter) and step it measured,
    and the ids of earlier requests of its kind that it answers in their place (coalesced)."""
    run: int
    step: int
    superseded: list[MessageId]


@with_config(STRICT)
class GradcheckReply(Measured):
    """Backpropagation against central differences, per parameter tensor (engine.gradcheck)."""
    type: Literal["gradcheck"]
    entries: list[dict]
    batch: int
    of: int
    dropout_off: bool


@with_config(STRICT)
class LineReply(Measured):
    """The last step's minibatch loss at θ + α·Δθ and along the negative gradient (engine.loss_line)."""
    type: Literal["line"]
    alpha: list[float]
    loss: list[float | None]
    gradient_loss: list[float | None]
    step_length: float
    batch: int
    of: int
    dropout_off: bool


@with_config(STRICT)
class SharpnessReply(Measured):
    """The loss Hessian's top eigenvalue on the fixed batch, and 2/lr (engine.sharpness)."""
    type: Literal["sharpness"]
    value: float | None
    two_over_lr: float
    iterations: int
    batch: int


@with_config(STRICT)
class Error(Reply):
    """A refused message (or a stopped session): what was wrong, and the field at fault."""
    type: Literal["error"]
    message: str
    field: str | None


SERVER_MODELS = (Hello, ConfigReply, Frame, PhaseReply, Status, TraceReply, SpeedReply, ParamReply,
                 ExplainReply, GradcheckReply, LineReply, SharpnessReply, Error)
ServerMessage = Annotated[Union[SERVER_MODELS], Field(discriminator="type")]
SERVER_ADAPTER = TypeAdapter(ServerMessage)


def reply_type(model: type) -> str:
    """The `Literal` tag of a reply model's `type` field."""
    return get_args(model.__annotations__["type"])[0]


TYPE_OF = {model: reply_type(model) for model in SERVER_MODELS}


def reply(model: type, message_id=None, **fields: Any) -> dict:
    """A server message of `model`: {type, ...fields, id?} (the id last, as before)."""
    out = {"type": TYPE_OF[model], **fields}
    if message_id is not None:
        out["id"] = message_id
    return out
