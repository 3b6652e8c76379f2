"""Session caps per process and per client, and the per-session message rate limit."""
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.ratelimit import TokenBucket
from server.settings import Settings


def opened(ws):
    """Read hello and the first frame; return hello."""
    hello = ws.receive_json()
    assert hello["type"] == "hello" and ws.receive_json()["type"] == "frame"
    return hello


def test_the_session_past_the_process_cap_is_closed_with_a_reason():
    client = TestClient(create_app(Settings(max_sessions=2)))
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        opened(a), opened(b)
        with client.websocket_connect("/ws") as c:
            with pytest.raises(WebSocketDisconnect) as closed:
                c.receive_json()
        assert closed.value.code == 1013 and "server full: 2 sessions" in closed.value.reason
        a.send_json({"type": "step", "id": 1})  # the others keep working
        assert a.receive_json()["step"] == 1


def test_the_session_past_the_per_client_cap_is_closed_with_a_reason():
    client = TestClient(create_app(Settings(max_sessions_per_client=1)))
    with client.websocket_connect("/ws") as a:
        opened(a)
        with client.websocket_connect("/ws") as b:
            with pytest.raises(WebSocketDisconnect) as closed:
                b.receive_json()
        assert closed.value.code == 1008 and "too many sessions from" in closed.value.reason
    with client.websocket_connect("/ws") as again:  # a closed session frees its place
        opened(again)


def test_messages_past_the_rate_limit_get_an_error_but_pauses_pass():
    client = TestClient(create_app(Settings(message_rate=0.001, message_burst=3)))
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        for k in range(3):
            ws.send_json({"type": "speed", "id": k})
            assert ws.receive_json() == {"type": "speed", "id": k, "fps": 30.0, "steps_per_second": None}
        ws.send_json({"type": "step", "id": "over"})
        error = ws.receive_json()
        assert error["type"] == "error" and error["id"] == "over" and "over the limit" in error["message"]
        ws.send_json({"type": "pause", "id": "p"})
        assert ws.receive_json() == {"type": "status", "id": "p", "status": "paused", "step": 0, "reason": "client"}


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=2.0, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] = 0.5
    assert bucket.take() and not bucket.take()
    now[0] = 10.0
    assert [bucket.take() for _ in range(3)] == [True, True, False]
