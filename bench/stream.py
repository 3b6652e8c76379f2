"""Streaming figures from a real server on loopback: frames/s, bytes/frame, step→frame latency,
training steps/s while streaming against the engine's bare rate, and 8 concurrent sessions with
the event loop's lag; and, in process, the cost of building and encoding one frame.

`python bench/stream.py [--json] [--quick] [--workers N]`
"""
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/, which would shadow `engine`
import numpy as np  # noqa: E402
import websockets  # noqa: E402

from bench.common import report  # noqa: E402
from bench.engine import DEEP, PLAYGROUND, us_per_step  # noqa: E402
from engine import Trainer  # noqa: E402
from server.flow import FrameWindow  # noqa: E402
from server.outbox import Outbox  # noqa: E402

QUICK = "--quick" in sys.argv
PLAY_SECONDS = 2.0 if QUICK else 5.0
LATENCY_SAMPLES = 50 if QUICK else 200
SESSIONS = 8


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, *options: str) -> subprocess.Popen:
    """`backprop-lab serve` in a subprocess, once /api/health answers."""
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port),
                                "--workers", str(workers), *options], stdout=subprocess.DEVNULL,
                               cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            health(port)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def health(port: int, reset_lag: bool = False) -> dict:
    """GET /api/health."""
    url = f"http://127.0.0.1:{port}/api/health" + ("?reset_lag=true" if reset_lag else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


async def connect(port: int):
    """A connected client past its hello and first frame."""
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None)
    await ws.recv()
    await ws.recv()
    return ws


async def play(port: int, seconds: float) -> dict:
    """Play for `seconds`, then pause: frames/s, bytes/frame, steps/s, and gaps in the steps."""
    ws = await connect(port)
    await ws.send(json.dumps({"type": "play"}))
    frames, nbytes, steps = 0, 0, []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        raw = await ws.recv()
        message = json.loads(raw)
        if message["type"] == "frame":
            frames += 1
            nbytes += len(raw)
            steps.append(message["step"])
    elapsed = time.perf_counter() - started
    await ws.send(json.dumps({"type": "pause"}))
    while json.loads(await ws.recv())["type"] != "status" or False:
        pass
    await ws.close()
    trained = steps[-1] - steps[0] if len(steps) > 1 else 0
    return {"frames_per_s": frames / elapsed, "bytes_per_frame": nbytes / max(frames, 1),
            "steps_per_s": trained / elapsed}


async def latency(port: int, samples: int) -> list[float]:
    """ms from sending `step {count: 1}` to receiving its frame, on a paused session."""
    ws = await connect(port)
    times = []
    for k in range(samples):
        sent = time.perf_counter()
        await ws.send(json.dumps({"type": "step", "count": 1, "id": k}))
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "frame" and message.get("id") == k:
                break
        times.append((time.perf_counter() - sent) * 1e3)
    await ws.close()
    return times


async def concurrent(port: int, n: int, seconds: float) -> list[dict]:
    """n sessions playing at once."""
    return await asyncio.gather(*(play(port, seconds) for _ in range(n)))


def frame_ms(config: dict, heavy: bool, frames: int, steps_between: int = 300) -> float:
    """Median ms to assemble and encode one frame (server.outbox), `steps_between` steps apart."""
    trainer = Trainer(config)
    outbox = Outbox(lambda text, is_frame: None, FrameWindow(False, 3), sparse_detail=False)
    times = []
    for _ in range(frames):
        trainer.run(steps_between)
        started = time.perf_counter()
        outbox.send_frame(trainer, True, heavy)
        times.append(time.perf_counter() - started)
    return 1e3 * statistics.median(times)


def main() -> None:
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 1
    bare = 1e6 / us_per_step(PLAYGROUND, False, 2000 if QUICK else 20000)
    port = free_port()
    server = start_server(port, workers)
    try:
        one = asyncio.run(play(port, PLAY_SECONDS))
        lat = asyncio.run(latency(port, LATENCY_SAMPLES))
        health(port, reset_lag=True)
        many = asyncio.run(concurrent(port, SESSIONS, PLAY_SECONDS))
        lag = health(port)["loop_lag"]
    finally:
        server.terminate()
        server.wait(10)
    fps = [m["frames_per_s"] for m in many]
    n = 20 if QUICK else 100
    build = {f"{name}_{kind}": frame_ms(config, kind == "heavy", n)
             for name, config in (("default", PLAYGROUND), ("deep", DEEP)) for kind in ("light", "heavy")}
    rows = [
        ("one session: frames/s delivered", f"{one['frames_per_s']:.1f} (of 30)"),
        ("one session: bytes per frame", f"{one['bytes_per_frame'] / 1024:.1f} KiB"),
        ("one session: training steps/s while streaming", f"{one['steps_per_s']:,.0f}",
         f"bare engine {bare:,.0f}", f"cost {100 * (1 - one['steps_per_s'] / bare):.1f}%"),
        ("step→frame latency", f"median {statistics.median(lat):.2f} ms",
         f"p99 {np.percentile(lat, 99):.2f} ms"),
        (f"{SESSIONS} sessions: frames/s each", f"min {min(fps):.1f}", f"median {statistics.median(fps):.1f}"),
        (f"{SESSIONS} sessions: steps/s each", f"median {statistics.median(m['steps_per_s'] for m in many):,.0f}"),
        (f"{SESSIONS} sessions: event loop lag", f"p99 {lag['p99_ms']} ms", f"max {lag['max_ms']} ms"),
        ("building a frame (median, ms)", *(f"{k} {v:.2f}" for k, v in build.items())),
    ]
    report(f"bench/stream.py: Playground's default net, {workers} worker(s)", rows, {
        "fps": round(one["frames_per_s"], 2), "bytes_per_frame": round(one["bytes_per_frame"]),
        "steps_per_s_streaming": round(one["steps_per_s"]), "steps_per_s_bare": round(bare),
        "latency_median_ms": round(statistics.median(lat), 3),
        "latency_p99_ms": round(float(np.percentile(lat, 99)), 3),
        "sessions": SESSIONS, "sessions_fps_min": round(min(fps), 2),
        "sessions_loop_lag_p99_ms": lag["p99_ms"],
        "frame_build_ms": {k: round(v, 3) for k, v in build.items()}})


if __name__ == "__main__":
    main()
