"""A real uvicorn server on loopback, clients from the `websockets` package.

What only a real socket shows: frames streamed while playing reach the client with every step
once, backpressure from a client that stops reading, several sessions at once, clean-up after a
disconnect, the transport's size cap (1009), and the idle pause.
"""
import asyncio
import json
import socket
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import uvicorn
import websockets
from websockets.exceptions import ConnectionClosed

from server.app import create_app
from server.settings import Settings
from wsclient import (arecv, assert_every_step_once, auntil, frames_of, is_status,
                      scalar_steps)

MB = 2**20


@contextmanager
def live_server(sndbuf: int | None = None, **settings):
    """Serve create_app(Settings(**settings)) on a free loopback port in a thread; yields
    (ws url, app). `sndbuf` caps the kernel send buffer of accepted sockets (so that a client
    that stops reading pushes back within seconds, not after megabytes)."""
    settings = Settings(**settings)
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sndbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws_per_message_deflate=False,
                            ws_max_size=settings.max_transport_bytes, log_level="warning")
    server = uvicorn.Server(config)
    started = threading.Event()

    async def main():
        app.state.loop = asyncio.get_running_loop()
        started.set()
        await server.serve(sockets=[sock])

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="live-uvicorn", daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), 15, "uvicorn to start")
    assert server.started, "uvicorn did not start"
    try:
        yield f"ws://127.0.0.1:{port}/ws", app
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


def wait_for(condition, timeout: float, what: str):
    """Poll `condition` until true (returns its value) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            assert value, f"timed out after {timeout} s waiting for {what}"
            return value
        time.sleep(0.02)


def connect(url, small_buffer: bool = False, **kwargs):
    """A `websockets` client; `small_buffer` caps its kernel receive buffer and message queue,
    so that a client that stops reading pushes back within a second or two."""
    if small_buffer:
        parts = urlsplit(url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.connect((parts.hostname, parts.port))
        kwargs.update(sock=sock, max_queue=2)
    return websockets.connect(url, max_size=None, proxy=None, close_timeout=2, **kwargs)


async def until_stalled(value, timeout: float, what: str, still: float = 0.5):
    """Poll `value()` until it is positive and has not changed for `still` seconds; returns it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, since = value(), loop.time()
    while not (last > 0 and loop.time() - since >= still):
        assert loop.time() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.02)
        if value() != last:
            last, since = value(), loop.time()
    return last


async def until_true(condition, timeout: float, what: str):
    """Poll `condition` from a coroutine until true, or fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.01)


def send(ws, **message):
    return ws.send(json.dumps(message))


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def session_of(app, session_id: str):
    matches = [s for s in list(app.state.sessions) if s.id == session_id]
    assert len(matches) == 1
    return matches[0]


def loop_tasks(app) -> int:
    """Tasks alive in the server's event loop (not counting the one that counts)."""
    async def count():
        return len(asyncio.all_tasks()) - 1
    return asyncio.run_coroutine_threadsafe(count(), app.state.loop).result(10)


def worker_threads() -> list[str]:
    """Threads that are neither pools (asyncio's default executor, anyio's) nor uvicorn's."""
    return sorted(t.name for t in threading.enumerate()
                  if not t.name.startswith(("asyncio_", "AnyIO", "ThreadPoolExecutor")))


@pytest.fixture(scope="module")
def server():
    # the floods below test backpressure, not the rate limit (tests/server/test_limits.py)
    with live_server(sndbuf=64 * 1024, message_rate=1e6, message_burst=1e6) as running:
        yield running


async def open_session(ws) -> tuple[dict, dict]:
    hello = await arecv(ws)
    frame = await arecv(ws)
    assert hello["type"] == "hello" and frame["type"] == "frame" and frame["step"] == 0
    return hello, frame


async def play_for(ws, seconds: float) -> list[dict]:
    """Play, read for `seconds`, pause; every message from `play` to `status paused`."""
    await send(ws, type="play", id="play")
    messages = await auntil(ws, is_status("running"))
    assert messages[-1]["id"] == "play"
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        messages.append(await arecv(ws))
    await send(ws, type="pause", id="pause")
    messages += await auntil(ws, is_status("paused"))
    return messages


def check_played(messages: list[dict]) -> int:
    """Every step 1..N once across the frames, N the paused status's step; returns N."""
    status = messages[-1]
    assert status["status"] == "paused" and status["id"] == "pause"
    frames = frames_of(messages)
    assert frames[-1]["status"] == "paused" and frames[-1]["step"] == status["step"]
    assert all(f["status"] == "running" for f in frames[:-1])
    assert all(f["run"] == 1 for f in frames)
    steps = [f["step"] for f in frames]
    assert steps == sorted(steps)
    return assert_every_step_once(frames)


# ---- streaming -------------------------------------------------------------------------------

def test_play_delivers_every_step_exactly_once(server):
    url, app = server

    async def scenario():
        async with connect(url) as ws:
            await open_session(ws)
            messages = await play_for(ws, 1.0)
            n = check_played(messages)
            assert len(frames_of(messages)) >= 10  # ~30 frames a second
            await send(ws, type="step", id="after")
            frame = await arecv(ws)
            assert frame["id"] == "after" and scalar_steps(frame) == [n + 1]
            return n

    assert asyncio.run(scenario()) > 100


def test_a_client_that_stops_reading_pauses_its_training(server):
    """Backpressure: the session stops training while its frames wait, memory stays flat, and
    once the client reads again nothing is missing."""
    url, app = server

    async def scenario():
        async with connect(url, small_buffer=True) as ws:
            hello, _ = await open_session(ws)
            session = session_of(app, hello["session_id"])
            rss_before = rss_bytes()
            await send(ws, type="play", id="play")
            # stop reading: training must come to a standstill (2 s with no step, within 30 s:
            # sampling at fixed times failed under load, when the buffers filled late) and stay there
            stalled = await until_stalled(lambda: session.trainer.steps, 30, "training to stall", still=2.0)
            await asyncio.sleep(2.0)
            steps_later = session.trainer.steps
            grown = rss_bytes() - rss_before
            assert steps_later == stalled, f"training went on while the client read nothing ({stalled} -> {steps_later})"
            assert grown < 50 * MB, f"RSS grew {grown / MB:.0f} MB"
            await send(ws, type="pause", id="pause")
            messages = await auntil(ws, is_status("paused"), timeout=30)
            assert messages[0]["type"] == "status" and messages[0]["status"] == "running"
            n = check_played(messages)
            assert n == stalled
            return n

    assert asyncio.run(scenario()) > 0


def test_a_flood_of_step_messages_is_held_back_too(server):
    """Backpressure applies to the frames that answer messages as well: a client that sends
    many `step` messages and reads nothing must not pile frames up in the server's memory."""
    url, app = server
    count = 600

    async def scenario():
        async with connect(url, small_buffer=True) as ws:
            hello, _ = await open_session(ws)
            session = session_of(app, hello["session_id"])
            rss_before = rss_bytes()
            for n in range(count):
                await send(ws, type="step", id=n)
            # the session answers until the client's buffers are full, then waits for it
            answered = await until_stalled(lambda: session.trainer.steps, 20,
                                           "the session to stop answering", still=1.0)
            grown = rss_bytes() - rss_before
            assert answered <= 100, (
                f"{answered} of {count} steps answered (~{grown / MB:.0f} MB of frames held) "
                f"for a client that reads nothing")
            for n in range(count):  # reading again, every answer comes, in order
                frame = await arecv(ws, timeout=30)
                assert frame["id"] == n and scalar_steps(frame) == [n + 1]

    asyncio.run(scenario())


@pytest.mark.parametrize("query", ["", "?ack=1"], ids=["plain", "ack mode"])
def test_acks_for_frames_never_read_do_not_lift_backpressure(server, query):
    """A client that reads nothing cannot make the server go on producing frames by sending
    `ack`s: on a plain connection an ack means nothing; with ?ack=1, only a frame that was
    written can be acknowledged. Else frames pile up in the server's memory unbounded."""
    url, app = server

    async def scenario():
        async with connect(url + query, small_buffer=True) as ws:
            hello, _ = await open_session(ws)
            session = session_of(app, hello["session_id"])
            await send(ws, type="play")

            async def acknowledge_all_the_same():  # read nothing, acknowledge every 5 ms
                while True:
                    await send(ws, type="ack")
                    await asyncio.sleep(0.005)

            acking = asyncio.create_task(acknowledge_all_the_same())
            try:  # with acks lifting backpressure, training would never stop
                await until_stalled(lambda: session.trainer.steps, 30,
                                    "training and framing to stop for a client that reads nothing",
                                    still=2.0)
            finally:
                acking.cancel()

    asyncio.run(scenario())


def test_eight_sessions_at_once(server):
    url, app = server

    async def one():
        async with connect(url) as ws:
            hello, _ = await open_session(ws)
            messages = await play_for(ws, 1.0)
            return hello["session_id"], check_played(messages)

    async def scenario():
        return await asyncio.gather(*(one() for _ in range(8)))

    results = asyncio.run(scenario())
    assert len({session_id for session_id, _ in results}) == 8
    assert all(n > 0 for _, n in results)
    wait_for(lambda: not app.state.sessions, 10, "the sessions to end")


# ---- clean-up --------------------------------------------------------------------------------

async def _mid_play(ws, session, settings):
    await send(ws, type="play")
    await auntil(ws, lambda m: m["type"] == "frame" and m["status"] == "running")


async def _mid_phase(ws, session, settings):
    for _ in range(4):
        await send(ws, type="phase")
        assert (await arecv(ws))["type"] == "phase"
    assert session.trainer.mid_step


async def _mid_long_step(ws, session, settings):
    await send(ws, type="step", count=100_000)
    await until_true(lambda: session.trainer.steps > 100, 5, "the long step to be under way")


async def _backlogged(ws, session, settings):
    await send(ws, type="play")  # and read nothing: frames pile up until training waits
    await until_stalled(lambda: session.trainer.steps, 10, "training to wait for the client")


@pytest.mark.parametrize("abrupt", [False, True], ids=["close", "abort"])
@pytest.mark.parametrize("where", [_mid_play, _mid_phase, _mid_long_step, _backlogged],
                         ids=["mid-play", "mid-phase", "mid-step", "backlogged"])
def test_disconnect_cleans_up(server, where, abrupt):
    url, app = server

    async def warm_up():  # threads a server starts once, on its first session, are baseline
        async with connect(url) as ws:
            await open_session(ws)
            await send(ws, type="step")
            await arecv(ws)

    asyncio.run(warm_up())
    wait_for(lambda: not app.state.sessions, 10, "earlier sessions to end")
    threads, tasks = worker_threads(), loop_tasks(app)

    async def scenario():
        async with connect(url, small_buffer=True) as ws:
            hello, _ = await open_session(ws)
            session = session_of(app, hello["session_id"])
            await where(ws, session, app.state.settings)
            if abrupt:
                ws.transport.abort()
            else:
                await ws.close()

    asyncio.run(scenario())
    wait_for(lambda: not app.state.sessions, 10, "the session to leave app.state.sessions")
    wait_for(lambda: worker_threads() == threads, 10, f"threads back to {threads}")
    assert not [t for t in worker_threads() if t.startswith("session-")]
    wait_for(lambda: loop_tasks(app) == tasks, 10, f"{tasks} tasks in the server loop")


# ---- limits ----------------------------------------------------------------------------------

def test_message_over_the_transport_cap_closes_with_1009(server):
    url, app = server
    cap = app.state.settings.max_transport_bytes

    async def scenario():
        async with connect(url) as ws:
            await open_session(ws)
            await ws.send(json.dumps({"type": "play", "pad": "x" * cap}))
            with pytest.raises(ConnectionClosed) as closed:
                for _ in range(100):
                    await arecv(ws)
            return closed.value

    closed = asyncio.run(scenario())
    assert closed.rcvd is not None and closed.rcvd.code == 1009
    wait_for(lambda: not app.state.sessions, 10, "the session to end")


def test_message_between_the_caps_gets_an_error_and_the_socket_stays_open(server):
    url, app = server

    async def scenario():
        async with connect(url) as ws:
            await open_session(ws)
            await ws.send(json.dumps({"type": "step", "id": 1, "pad": "x" * 200_000}))
            error = await arecv(ws)
            assert error["type"] == "error" and "limit" in error["message"]
            await send(ws, type="step", count=3, id=2)
            frame = await arecv(ws)
            assert frame["id"] == 2 and scalar_steps(frame) == [1, 2, 3]

    asyncio.run(scenario())


def test_idle_session_pauses():
    with live_server(idle_timeout=1.0) as (url, app):
        async def scenario():
            async with connect(url) as ws:
                hello, _ = await open_session(ws)
                assert hello["limits"]["idle_timeout"] == 1.0
                loop = asyncio.get_running_loop()
                await send(ws, type="play", id="go")
                started = loop.time()
                messages = await auntil(ws, is_status("paused"), timeout=4.0)
                waited = loop.time() - started
                status = messages[-1]
                assert status["reason"] == "idle" and "id" not in status
                assert 1.0 <= waited <= 3.0
                frames = frames_of(messages)
                assert frames[-1]["status"] == "paused" and frames[-1]["step"] == status["step"]
                assert_every_step_once(frames)
                with pytest.raises(TimeoutError):  # paused: nothing more comes
                    await arecv(ws, timeout=0.5)
                await send(ws, type="step", id="s")  # a message is activity; the session works
                frame = await arecv(ws)
                assert scalar_steps(frame) == [status["step"] + 1]

        asyncio.run(scenario())
