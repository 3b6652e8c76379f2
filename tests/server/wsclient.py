"""Small helpers for /ws tests: strict JSON, timed receives, decoded scalar steps.

Two clients share them: Starlette's TestClient WebSocket session (synchronous, in-process ASGI)
and the `websockets` package against a real uvicorn server (asyncio).
"""
import asyncio
import json
import time

import anyio
import numpy as np

from server.encoding import unpack
from server.replies import SERVER_ADAPTER

TIMEOUT = 15.0  # seconds any single expected message may take


def _refuse_constant(name):
    raise ValueError(f"non-strict JSON constant {name!r} in a server message")


def strict_loads(text: str):
    """json.loads that refuses NaN, Infinity and -Infinity (as JSON.parse does)."""
    return json.loads(text, parse_constant=_refuse_constant)


def server_message(text: str) -> dict:
    """A server message parsed as strict JSON and checked against its model (server.replies)."""
    message = strict_loads(text)
    SERVER_ADAPTER.validate_python(message)
    return message


def scalar_steps(frame: dict) -> list[int]:
    """A frame's decoded `scalars.step` column."""
    steps = unpack(frame["scalars"]["step"])
    assert steps.shape == (frame["scalars"]["count"],)
    return [int(s) for s in steps]


def assert_every_step_once(frames: list[dict], first: int = 1) -> int:
    """Every step from `first` to the last frame's `step` appears exactly once, in order,
    across the frames' scalars, each with span 1. Returns the last step."""
    seen = [s for f in frames for s in scalar_steps(f)]
    spans = [int(s) for f in frames for s in unpack(f["scalars"]["span"])]
    last = frames[-1]["step"]
    assert seen == list(range(first, last + 1)), (
        f"steps {first}..{last} not each once: {len(seen)} rows, "
        f"missing {sorted(set(range(first, last + 1)) - set(seen))[:10]}, "
        f"duplicates {len(seen) - len(set(seen))}")
    assert set(spans) <= {1}
    return last


async def _receive_within(stream, timeout: float):
    with anyio.fail_after(timeout):
        return await stream.receive()


class Conversation:
    """A TestClient WebSocket session whose every incoming message is parsed as strict JSON,
    received with a timeout, and kept (`.log`)."""

    def __init__(self, ws):
        self.ws = ws
        self.log = []
        self.last_text = None

    def open(self) -> tuple[dict, dict]:
        """Read the connection's opening `hello` and step-0 `frame`."""
        hello = self.expect("hello")
        frame = self.expect("frame")
        return hello, frame

    def send(self, message) -> None:
        if isinstance(message, (bytes, bytearray)):
            self.ws.send_bytes(bytes(message))
        elif isinstance(message, str):
            self.ws.send_text(message)
        else:
            self.ws.send_text(json.dumps(message))

    def recv(self, timeout: float = TIMEOUT) -> dict:
        """The next server message (TimeoutError if none comes in time)."""
        event = self.ws.portal.call(_receive_within, self.ws._send_rx, timeout)
        if event["type"] == "websocket.close":
            raise AssertionError(f"server closed the socket: {event}")
        assert event["type"] == "websocket.send", event
        text = event.get("text")
        assert text is not None, "server sent a binary message"
        self.last_text = text
        message = self.parse(text)
        self.log.append(message)
        return message

    def parse(self, text: str) -> dict:
        """One server message from its text, checked against its model."""
        return server_message(text)

    def expect(self, kind: str, timeout: float = TIMEOUT, **fields) -> dict:
        """The next message, which must be of type `kind` with the given field values."""
        message = self.recv(timeout)
        assert message["type"] == kind, f"expected {kind}, got {summary(message)}"
        for name, value in fields.items():
            assert message.get(name) == value, (name, summary(message))
        return message

    def until(self, predicate, timeout: float = TIMEOUT) -> list[dict]:
        """Messages up to and including the first one satisfying `predicate`."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching message in {timeout} s; got "
                                   f"{[summary(m) for m in out[-5:]]}")
            message = self.recv(remaining)
            out.append(message)
            if predicate(message):
                return out

    def nothing_within(self, timeout: float) -> None:
        """Assert that no message arrives within `timeout` seconds."""
        try:
            message = self.recv(timeout)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message {summary(message)}")

    def step(self, count: int = 1, **extra) -> dict:
        """Send `step` and return its one frame."""
        self.send({"type": "step", "count": count, **extra})
        return self.expect("frame")


def summary(message: dict) -> dict:
    """A message without its bulky fields, for assertion messages."""
    bulky = ("catalog", "config", "detail", "scalars", "layers", "tensors", "trace", "points")
    return {k: ("..." if k in bulky else v) for k, v in message.items()}


# ---- asyncio (websockets package) -------------------------------------------------------------

async def arecv(ws, timeout: float = TIMEOUT) -> dict:
    """The next message from a `websockets` connection, parsed as strict JSON."""
    text = await asyncio.wait_for(ws.recv(), timeout)
    assert isinstance(text, str), "server sent a binary message"
    return server_message(text)


async def auntil(ws, predicate, timeout: float = TIMEOUT) -> list[dict]:
    """Messages up to and including the first one satisfying `predicate`."""
    out = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise TimeoutError(f"no matching message in {timeout} s; last "
                               f"{[summary(m) for m in out[-5:]]}")
        message = await arecv(ws, remaining)
        out.append(message)
        if predicate(message):
            return out


def is_status(status: str):
    return lambda m: m["type"] == "status" and m["status"] == status


def frames_of(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "frame"]


def finite_tree(value) -> bool:
    """Whether every number in a JSON value is finite (None counts as non-finite)."""
    if isinstance(value, dict):
        return all(finite_tree(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_tree(v) for v in value)
    if value is None:
        return False
    if isinstance(value, float):
        return bool(np.isfinite(value))
    return True
