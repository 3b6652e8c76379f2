"""docs/protocol.md against the message models: every message type documented has a model and
every model is documented, with each of its top-level fields named in its section."""
import re
from pathlib import Path

import pytest

from server.messages import CLIENT_TYPES, HANDLERS
from server.replies import SERVER_MODELS, reply_type

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
ENVELOPE = {"type", "id"}  # every message has a type; any may carry an id


def section(title: str) -> str:
    """The text under a `## title` heading, up to the next `## ` heading."""
    return DOC.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def client_rows() -> dict[str, str]:
    """{message type: its table row} from the client-to-server table."""
    rows = re.findall(r"^\| `(\w+)` \|(.*)$", section("Client → server"), re.MULTILINE)
    return dict(rows)


def server_sections() -> dict[str, str]:
    """{message type: its text} from the `### type` headings of the server-to-client section."""
    parts = re.split(r"^### `(\w+)`\n", section("Server → client"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def named(text: str) -> set[str]:
    """Names a text documents: words in `code` and in {field, lists}."""
    spans = re.findall(r"`([^`]+)`", text) + re.findall(r"\{([^{}]*)\}", text)
    return {word for span in spans for word in re.findall(r"[A-Za-z_]\w*", span)}


def test_every_client_message_type_is_documented_and_modelled():
    assert sorted(client_rows()) == sorted(CLIENT_TYPES)


@pytest.mark.parametrize("kind", CLIENT_TYPES)
def test_each_client_message_field_is_documented(kind):
    fields = set(HANDLERS[kind].model.model_fields) - ENVELOPE
    assert fields <= named(client_rows()[kind]), fields - named(client_rows()[kind])


def test_every_server_message_type_is_documented_and_modelled():
    assert sorted(server_sections()) == sorted(reply_type(m) for m in SERVER_MODELS)


@pytest.mark.parametrize("model", SERVER_MODELS, ids=reply_type)
def test_each_server_message_field_is_documented(model):
    fields = set(model.__annotations__) - ENVELOPE
    text = server_sections()[reply_type(model)]
    assert fields <= named(text), fields - named(text)
