"""The client-message registry: each family module declares a message's model and its handler
side by side with `@handles(Model)`; the protocol's union and the session's dispatch read it."""
from dataclasses import dataclass
from typing import Callable

from pydantic import BaseModel, ConfigDict

from ..replies import MessageId


class ClientMessage(BaseModel):
    """Base of every client message: strict types, no unknown fields, an optional `id`."""
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    id: MessageId | None = None


@dataclass(frozen=True)
class Handler:
    """How one message type is carried out: `run(session, message)` and where and when it runs."""
    model: type
    run: Callable
    urgent: bool  # answered ahead of other work even when frames are full; cuts a step {count} short
    on_arrival: bool  # run on the event loop as it arrives, not queued for the trainer thread
    from_client: bool  # False: the server's own message (never parsed from the socket)

    @property
    def rate_limited(self) -> bool:
        """Whether the per-session message rate applies (a pause or an ack always passes)."""
        return not (self.urgent or self.on_arrival)


HANDLERS: dict[str, Handler] = {}


def message_type(model: type) -> str:
    """The `Literal` tag of a message model's `type` field."""
    return model.model_fields["type"].annotation.__args__[0]


def handles(model: type, urgent: bool = False, on_arrival: bool = False, from_client: bool = True):
    """Register the decorated `run(session, message)` as the handler of `model`."""
    def register(run: Callable) -> Callable:
        HANDLERS[message_type(model)] = Handler(model, run, urgent, on_arrival, from_client)
        return run
    return register
