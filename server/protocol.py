"""The /ws protocol's parsing: client messages (server.messages, one model each beside its
handler) as a discriminated union with one adapter; server messages are in server.replies.
docs/protocol.md documents both directions (tests/server/test_protocol_doc.py checks it)."""
from typing import Annotated, Union

from pydantic import Field, TypeAdapter, ValidationError

from engine.quote import quote

from .messages import CLIENT_TYPES, HANDLERS, ClientMessage

CLIENT_MODELS = tuple(HANDLERS[kind].model for kind in CLIENT_TYPES)
CLIENT_ADAPTER = TypeAdapter(Annotated[Union[CLIENT_MODELS], Field(discriminator="type")])


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
