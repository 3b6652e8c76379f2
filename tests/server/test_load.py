"""Load, soak and faults against a real `backprop-lab serve` subprocess, at reduced size (the
full size is `python bench/load.py`)."""
import asyncio
import json
import signal
import time

import pytest
import websockets

from bench.load import load, rss_mb, soak
from bench.stream import free_port, health, start_server

pytestmark = pytest.mark.slow


@pytest.fixture
def served(request):
    """A server subprocess on a free port: (port, process)."""
    workers, *options = getattr(request, "param", (1,))
    port = free_port()
    process = start_server(port, workers, *options)
    yield port, process
    if process.poll() is None:
        process.terminate()
        process.wait(10)


async def opened(port: int):
    """A client past its hello and first frame."""
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None)
    await ws.recv()
    await ws.recv()
    return ws


@pytest.mark.parametrize("served", [(1, "--max-sessions-per-client", "20"),
                                    (2, "--max-sessions-per-client", "20")], indirect=True,
                         ids=["1 worker", "2 workers"])
def test_twenty_sessions_play_at_once_without_a_gap(served):
    port, process = served
    before = rss_mb(process.pid)
    results = asyncio.run(load(port, 20, 3.0))
    assert all(r["gapless"] and r["steps"] > 0 for r in results), results
    assert rss_mb(process.pid) < before + 300  # bounded: each session's recorder is capped


def test_a_long_run_stays_bounded_and_exports_how_it_thinned(served):
    port, process = served
    result = asyncio.run(soak(port, 40_000, process.pid))
    assert result["steps"] == 40_000
    assert result["peak_rss_mb"] < 400
    assert result["thinning"]["thinnings"] >= 1 and result["rows"] < 40_000


def test_sigterm_closes_every_socket_with_1012_within_a_second(served):
    port, process = served

    async def scenario():
        clients = [await opened(port) for _ in range(3)]
        for ws in clients:
            await ws.send(json.dumps({"type": "play"}))
            await ws.recv()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)

        async def closed(ws):
            try:
                while True:
                    await ws.recv()
            except websockets.ConnectionClosed as exc:
                return time.monotonic() - started, exc.rcvd.code if exc.rcvd else None

        return await asyncio.gather(*(closed(ws) for ws in clients))

    for seconds, code in asyncio.run(scenario()):
        assert code == 1012 and seconds < 1.0
    assert process.wait(10) is not None


def test_a_burst_of_configures_is_refused_past_the_limit_and_others_keep_being_served(served):
    port, _ = served

    async def scenario():
        noisy, quiet = await opened(port), await opened(port)
        for k in range(1000):
            await noisy.send(json.dumps({"type": "configure", "id": k,
                                         "config": {"training": {"learning_rate": 0.01 + k * 1e-5}}}))
        await quiet.send(json.dumps({"type": "step", "count": 3, "id": "q"}))
        while (m := json.loads(await asyncio.wait_for(quiet.recv(), 10)))["type"] != "frame":
            pass
        assert m["id"] == "q" and m["step"] == 3
        replies = {"config": 0, "error": 0}
        while sum(replies.values()) < 1000:
            m = json.loads(await asyncio.wait_for(noisy.recv(), 30))
            if m["type"] in replies:
                replies[m["type"]] += 1
                assert m["type"] == "config" or "over the limit" in m["message"]
        assert replies["config"] >= 200 and replies["error"] > 0  # the burst passes, the rest is refused
        await noisy.send(json.dumps({"type": "step", "id": "after"}))
        while (m := json.loads(await asyncio.wait_for(noisy.recv(), 10)))["type"] != "frame":
            pass
        assert m["step"] == 1
        await noisy.close()
        await quiet.close()

    asyncio.run(scenario())
    assert health(port)["status"] == "ok"


@pytest.mark.parametrize("moment", ["export", "frame", "phase"])
def test_a_client_vanishing_mid_reply_leaves_the_server_serving(served, moment):
    port, _ = served
    asyncio.run(_warm_up(port))  # the trainer thread starts with the first session
    threads = health(port)["threads"]

    async def scenario():
        ws = await opened(port)
        await ws.send(json.dumps({"type": "step", "count": 5000}))
        await ws.send(json.dumps({"type": {"export": "export", "frame": "play", "phase": "phase"}[moment]}))
        ws.transport.abort()  # gone without a close handshake
        other = await opened(port)
        await other.send(json.dumps({"type": "step", "id": 1}))
        while (m := json.loads(await asyncio.wait_for(other.recv(), 30)))["type"] != "frame":
            pass
        assert m["step"] == 1
        await other.close()

    asyncio.run(scenario())
    deadline = time.monotonic() + 30  # the vanished session ends its 5,000 steps' work first: slow on a loaded machine
    while health(port)["sessions"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health(port)["sessions"] == 0
    assert health(port)["threads"] == threads


async def _warm_up(port: int) -> None:
    """Open and close one session."""
    ws = await opened(port)
    await ws.close()
