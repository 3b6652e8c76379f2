"""Which browser pages may open /ws: same host:port as the request, or --allow-origin."""
import pytest
from starlette.websockets import WebSocketDisconnect

from server.origin import origin_allowed

ALLOW = ("http://lab.example:8080",)


@pytest.mark.parametrize("origin, host", [
    ("http://127.0.0.1:8000", "127.0.0.1:8000"),
    ("http://localhost:8000", "localhost:8000"),
    ("http://LOCALHOST:8000", "localhost:8000"),  # host names are case-insensitive
    ("http://lab.example", "lab.example"),
    ("http://lab.example", "lab.example:80"),  # the scheme's default port
    ("http://lab.example:80", "lab.example"),
    ("https://lab.example", "lab.example"),  # behind a TLS proxy that forwards Host
    ("https://lab.example", "lab.example:443"),
    ("https://lab.example:443", "lab.example"),
    ("http://[::1]:8000", "[::1]:8000"),
])
def test_same_host_and_port_is_accepted(origin, host):
    assert origin_allowed(origin, host, ())


@pytest.mark.parametrize("origin, host", [
    ("http://evil.example:8000", "127.0.0.1:8000"),  # another host
    ("http://127.0.0.1:9000", "127.0.0.1:8000"),  # another port
    ("http://localhost:8000", "127.0.0.1:8000"),  # another name for the same machine
    ("http://lab.example", "lab.example:443"),  # http's port is 80
    ("https://lab.example", "lab.example:80"),  # https's port is 443
    ("http://lab.example:8000", "lab.example"),
    ("http://lab.example.evil.example", "lab.example"),
    ("http://127.0.0.1:8000", None),  # no Host header: nothing to compare with
])
def test_another_host_or_port_is_refused(origin, host):
    assert not origin_allowed(origin, host, ())


def test_a_missing_origin_is_accepted():
    assert origin_allowed(None, "127.0.0.1:8000", ())
    assert origin_allowed(None, None, ())


@pytest.mark.parametrize("origin", [
    "null",  # sandboxed iframes and file:// pages
    "",
    "file://",
    "127.0.0.1:8000",  # no scheme
    "http://",
    "not a url",
    "http://127.0.0.1:notaport",
    "http://127.0.0.1:99999",
])
def test_a_malformed_origin_is_refused(origin):
    assert not origin_allowed(origin, "127.0.0.1:8000", ())


def test_two_malformed_ports_do_not_match_each_other():
    # A malformed Origin must be refused outright, not compared as "" with a malformed Host.
    assert not origin_allowed("http://evil.example:x", "lab.example:y", ())


@pytest.mark.parametrize("origin, allowed", [
    ("http://lab.example:8080", True),
    ("http://LAB.example:8080", True),
    ("http://lab.example:8081", False),
    ("http://lab.example", False),
    ("http://other.example:8080", False),
])
def test_allow_list(origin, allowed):
    assert origin_allowed(origin, "127.0.0.1:8000", ALLOW) is allowed


def test_allow_list_with_default_ports():
    allow = ("https://lab.example", "http://plain.example")
    assert origin_allowed("https://lab.example:443", "127.0.0.1:8000", allow)
    assert origin_allowed("http://plain.example:80", "127.0.0.1:8000", allow)
    assert not origin_allowed("http://lab.example", "127.0.0.1:8000", allow)  # port 80, not 443


# ---- through the app ----------------------------------------------------------------------

def refused(client, origin: str, host: str | None = None) -> WebSocketDisconnect:
    headers = {"origin": origin, **({"host": host} if host else {})}
    with pytest.raises(WebSocketDisconnect) as caught:
        with client.websocket_connect("/ws", headers=headers):
            pass
    return caught.value


def test_a_foreign_origin_is_closed_with_1008(client):
    error = refused(client, "http://evil.example")
    assert error.code == 1008
    assert "allow-origin" in error.reason
    assert client.get("/api/health").json()["sessions"] == 0  # no session was made


def test_a_foreign_port_is_refused(client):
    assert refused(client, "http://testserver:8080").code == 1008


def test_same_origin_is_accepted(connect):
    # TestClient's Host header is "testserver".
    with connect(origin="http://testserver") as conv:
        assert conv.hello["type"] == "hello"
        assert conv.step(2)["step"] == 2


def test_same_origin_by_host_header(connect):
    with connect(origin="http://lab.example:5000", host="lab.example:5000") as conv:
        assert conv.first_frame["step"] == 0


def test_no_origin_is_accepted(connect):
    with connect() as conv:
        assert conv.hello["type"] == "hello"


def test_allow_origin_setting(make_client, connect):
    client = make_client(allow_origins=ALLOW)
    with connect(client, origin="http://lab.example:8080") as conv:
        assert conv.step()["step"] == 1
    assert refused(client, "http://lab.example:9090").code == 1008
    with connect(client, origin="http://testserver") as conv:  # same origin still works
        assert conv.first_frame["step"] == 0


def test_a_refused_origin_gets_http_403_from_uvicorn():
    """Over a real socket, the refusal happens before the handshake completes (HTTP 403)."""
    import asyncio

    import websockets
    from websockets.exceptions import InvalidStatus

    from test_live_server import live_server

    async def attempt(url):
        with pytest.raises(InvalidStatus) as caught:
            async with websockets.connect(url, origin="http://evil.example"):
                pass
        return caught.value.response.status_code

    with live_server() as (url, _app):
        assert asyncio.run(attempt(url)) == 403
