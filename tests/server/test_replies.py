"""The server-message models: replies as built validate, and a malformed one is refused."""
import pydantic
import pytest

from server.replies import SERVER_ADAPTER, Error, Frame, Status, reply


def test_reply_puts_the_type_first_and_the_id_last():
    message = reply(Status, 7, status="paused", step=3, reason="client")
    assert list(message) == ["type", "status", "step", "reason", "id"]
    assert message == {"type": "status", "status": "paused", "step": 3, "reason": "client", "id": 7}
    assert SERVER_ADAPTER.validate_python(message) == message


def test_a_reply_without_an_id_has_no_id_key():
    assert reply(Error, message="bad", field=None) == {"type": "error", "message": "bad", "field": None}


@pytest.mark.parametrize("message, words", [
    ({"type": "status", "status": "sleeping", "step": 0}, "status"),
    ({"type": "error", "message": "m", "field": None, "extra": 1}, "extra"),
    ({"type": "frame", "run": 1, "step": 0, "epoch": 0, "status": "paused", "scalars": {},
      "metrics": {}}, "layers"),
    ({"type": "goodbye"}, "goodbye"),
])
def test_a_malformed_server_message_is_refused_naming_what_is_wrong(message, words):
    with pytest.raises(pydantic.ValidationError, match=words):
        SERVER_ADAPTER.validate_python(message)

