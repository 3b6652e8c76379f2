"""Load and soak on a real server: N sessions playing Playground's default net at once (frames/s
per session, step gaps, server RSS at start and end, event-loop lag p99), and one session
running a million steps (RSS bound, and its export's thinning).

`python bench/load.py [--json] [--quick] [--sessions N] [--seconds S] [--soak-steps N]`
"""
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/, which would shadow `engine`
import websockets  # noqa: E402

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


def main() -> None:
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
