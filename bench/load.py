"""Load and soak on a real server: N sessions playing Playground's default net at once (frames/s
per session, step gaps, server RSS at start and end, event-loop lag p99), and one session
running a million steps (RSS bound, and its export's thinning).

`python bench/load.py [--json] [--quick] [--sessions N] [--seconds S] [--soak-steps N]`

`python bench/load.py --latency [--compete] [--rounds R] [--sessions 8] [--seconds 6]` measures
instead how fast a busy worker answers: N sessions play on one worker (N - 1 from this process),
and a separate probe process, playing the last session, times GET /api/health every 20 ms and a
`pause` (until its `status paused`) every 0.25 s; `--compete` adds a busy-loop process.
"""
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/, which would shadow `engine`
import websockets  # noqa: E402

import numpy as np  # noqa: E402

from bench.common import report  # noqa: E402
from bench.stream import free_port, health, start_server  # noqa: E402
from engine import parse_trace  # noqa: E402
from server.encoding import unpack  # noqa: E402


def option(name: str, default):
    """A --name value from the command line."""
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def rss_mb(pid: int) -> float:
    """Resident memory of a process (and its children, for --workers) in MB."""
    total = 0
    pids = [pid] + [int(p) for p in os.popen(f"pgrep -P {pid}").read().split()]
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
        except (OSError, StopIteration):
            pass
    return total / 1024


async def play_session(port: int, seconds: float) -> dict:
    """Play, then pause; every step's row must arrive exactly once."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None) as ws:
        await ws.recv()
        await ws.recv()
        await ws.send(json.dumps({"type": "play"}))
        steps, frames, started = [], 0, time.perf_counter()
        paused = False
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if message["type"] == "frame":
                frames += 1
                steps.extend(unpack(message["scalars"]["step"]).tolist())
            elif message["type"] == "status" and message["status"] == "paused":
                break
            if not paused and time.perf_counter() - started > seconds:
                await ws.send(json.dumps({"type": "pause"}))
                paused = True
        elapsed = time.perf_counter() - started
    n = steps[-1] if steps else 0
    return {"frames_per_s": frames / elapsed, "steps": n, "gapless": steps == list(range(1, n + 1))}


async def load(port: int, sessions: int, seconds: float) -> list[dict]:
    """`sessions` clients playing at once."""
    return await asyncio.gather(*(play_session(port, seconds) for _ in range(sessions)))


async def soak(port: int, steps: int, pid: int) -> dict:
    """One session stepping `steps` steps (in chunks); RSS along the way; then its export."""
    peak = rss_mb(pid)
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None) as ws:
        await ws.recv()
        await ws.recv()
        done, chunk = 0, 100_000
        while done < steps:
            count = min(chunk, steps - done)
            await ws.send(json.dumps({"type": "step", "count": count, "id": done}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 600))
                if message["type"] == "frame" and message.get("id") == done:
                    break
            done = message["step"]
            peak = max(peak, rss_mb(pid))
        await ws.send(json.dumps({"type": "export", "id": "export"}))
        while True:
            raw = await asyncio.wait_for(ws.recv(), 600)
            if raw.startswith('{"type":"trace"'):
                break
    trace = parse_trace(json.dumps(json.loads(raw)["trace"]).encode())
    return {"steps": done, "peak_rss_mb": peak, "export_mb": len(raw) / 2**20,
            "rows": len(trace["steps"]), "thinning": trace["thinning"]}


PROBE_HTTP_EVERY = 0.02  # seconds between GET /api/health
PROBE_PAUSE_EVERY = 0.25  # seconds of play between pauses


async def play_until(port: int, stop: asyncio.Event) -> dict:
    """Play until `stop`, parsing every frame as a client would: frames and steps trained."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None) as ws:
        await ws.recv()
        await ws.recv()
        await ws.send('{"type":"play"}')
        frames, step, started = 0, 0, time.perf_counter()
        while not stop.is_set():
            message = json.loads(await ws.recv())
            if message["type"] == "frame":
                frames += 1
                step = message["step"]
        elapsed = time.perf_counter() - started
        await ws.send('{"type":"pause"}')
        while not (await ws.recv()).startswith('{"type":"status"'):
            pass
    return {"frames_per_s": frames / elapsed, "steps_per_s": step / elapsed}


async def http_latency(port: int, seconds: float) -> list[float]:
    """ms to answer GET /api/health on a fresh connection, every PROBE_HTTP_EVERY s."""
    times, end = [], time.perf_counter() + seconds
    request = f"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    while time.perf_counter() < end:
        sent = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request.encode())
        body = await reader.read()
        times.append((time.perf_counter() - sent) * 1e3)
        writer.close()
        assert body.startswith(b"HTTP/1.1 200"), body[:100]
        await asyncio.sleep(max(0.0, PROBE_HTTP_EVERY - (time.perf_counter() - sent)))
    return times


async def pause_latency(port: int, seconds: float) -> list[float]:
    """ms from sending `pause` to its `status paused`, playing PROBE_PAUSE_EVERY s in between."""
    times, end = [], time.perf_counter() + seconds
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None) as ws:
        await ws.recv()
        await ws.recv()
        for k in itertools.count():
            if time.perf_counter() >= end:
                break
            await ws.send(json.dumps({"type": "play", "id": f"play{k}"}))
            played = time.perf_counter()
            while time.perf_counter() - played < PROBE_PAUSE_EVERY:
                await ws.recv()
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "pause", "id": k}))
            while not (raw := await ws.recv()).startswith('{"type":"status"'):
                pass
            times.append((time.perf_counter() - sent) * 1e3)
            assert json.loads(raw) == {"type": "status", "status": "paused", "step": json.loads(raw)["step"],
                                       "reason": "client", "id": k}, raw
    return times


async def probe(port: int, seconds: float) -> dict:
    """The probe process's work: HTTP and pause latencies at once."""
    http, pause = await asyncio.gather(http_latency(port, seconds), pause_latency(port, seconds))
    return {"http_ms": http, "pause_ms": pause}


async def latency_round(port: int, sessions: int, seconds: float) -> dict:
    """sessions - 1 quiet players here, the probe in its own process once they play."""
    stop = asyncio.Event()
    players = [asyncio.create_task(play_until(port, stop)) for _ in range(sessions - 1)]
    await asyncio.sleep(1.0)
    prober = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--probe", str(port), str(seconds), stdout=asyncio.subprocess.PIPE)
    out, _ = await prober.communicate()
    stop.set()
    played = await asyncio.gather(*players)
    return {**json.loads(out), "played": played}


def percentiles(ms: list[float]) -> str:
    """p50 / p99 / max of a list of ms."""
    return f"p50 {np.percentile(ms, 50):.1f} p99 {np.percentile(ms, 99):.1f} max {max(ms):.1f} ms"


def latency_main() -> None:
    """--latency: rounds of N sessions on one worker, with the probe process, optionally a competitor."""
    sessions, seconds, rounds = option("--sessions", 8), option("--seconds", 6.0), option("--rounds", 3)
    compete = "--compete" in sys.argv
    rows, figures = [], {"rounds": []}
    for r in range(rounds):
        port = free_port()
        server = start_server(port, 1, "--max-sessions-per-client", str(sessions + 1))
        rival = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if compete else None
        try:
            result = asyncio.run(latency_round(port, sessions, seconds))
        finally:
            if rival is not None:
                rival.kill()
                rival.wait()
            server.terminate()
            server.wait(10)
        fps = [p["frames_per_s"] for p in result["played"]]
        steps = sum(p["steps_per_s"] for p in result["played"])
        rows.append((f"round {r + 1}: HTTP", percentiles(result["http_ms"]), f"({len(result['http_ms'])})"))
        rows.append((f"round {r + 1}: pause reply", percentiles(result["pause_ms"]), f"({len(result['pause_ms'])})"))
        rows.append((f"round {r + 1}: {sessions - 1} players", f"frames/s min {min(fps):.1f}",
                     f"median {statistics.median(fps):.1f}", f"steps/s in all {steps:,.0f}"))
        figures["rounds"].append({
            "http_p99_ms": round(float(np.percentile(result["http_ms"], 99)), 1),
            "pause_p99_ms": round(float(np.percentile(result["pause_ms"], 99)), 1),
            "fps_min": round(min(fps), 1), "steps_per_s_total": round(steps)})
    report(f"bench/load.py --latency: {sessions} sessions on one worker, {seconds:.0f} s"
           f"{', a busy-loop process competing' if compete else ''}", rows, figures)


def main() -> None:
    if "--probe" in sys.argv:
        port, seconds = sys.argv[sys.argv.index("--probe") + 1:][:2]
        print(json.dumps(asyncio.run(probe(int(port), float(seconds)))))
        return
    if "--latency" in sys.argv:
        latency_main()
        return
    quick = "--quick" in sys.argv
    sessions = option("--sessions", 20)
    seconds = option("--seconds", 10.0 if quick else 60.0)
    soak_steps = option("--soak-steps", 100_000 if quick else 1_000_000)
    rows, figures = [], {}
    for workers in (1, 2):
        port = free_port()
        server = start_server(port, workers, "--max-sessions-per-client", str(sessions))
        try:
            start = rss_mb(server.pid)
            health(port, reset_lag=True)
            results = asyncio.run(load(port, sessions, seconds))
            lag = health(port)["loop_lag"]  # one worker's view when there are two
            end = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
        fps = [r["frames_per_s"] for r in results]
        gapless = sum(r["gapless"] for r in results)
        rows.append((f"{sessions} sessions, {workers} worker(s), {seconds:.0f} s",
                     f"frames/s each min {min(fps):.1f} median {statistics.median(fps):.1f}",
                     f"steps each median {statistics.median(r['steps'] for r in results):,.0f}",
                     f"gapless {gapless}/{sessions}", f"RSS {start:.0f} -> {end:.0f} MB",
                     f"loop lag p99 {lag['p99_ms']} ms"))
        figures[f"load_workers_{workers}"] = {"fps_min": min(fps), "gapless": gapless, "sessions": sessions,
                                              "rss_start_mb": start, "rss_end_mb": end, "lag_p99_ms": lag["p99_ms"]}
    port = free_port()
    server = start_server(port, 1)
    try:
        s = asyncio.run(soak(port, soak_steps, server.pid))
    finally:
        server.terminate()
        server.wait(10)
    rows.append((f"soak: one session, {s['steps']:,} steps", f"peak RSS {s['peak_rss_mb']:.0f} MB",
                 f"export {s['export_mb']:.1f} MB, valid, {s['rows']:,} rows",
                 f"thinned {s['thinning']['thinnings']} times, {s['thinning']['snapshots_dropped']} snapshots dropped"))
    figures["soak"] = s
    report("bench/load.py: load and soak on Playground's default net", rows, figures)


if __name__ == "__main__":
    main()
