"""The page under load, in headless Chromium with every panel on screen: frames applied per
second while playing, ms to apply a frame (median, p95), ms from a click on pause to the counter
stopping, and training steps/s with the page open against a client that draws nothing.

`python bench/browser.py [--json] [--quick]` (needs /usr/bin/chromium and playwright)
"""
import asyncio
import json
import sys
import time
import urllib.parse
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/, which would shadow `engine`
import numpy as np  # noqa: E402
import websockets  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.common import report  # noqa: E402
from bench.engine import DEEP  # noqa: E402
from bench.stream import free_port, start_server  # noqa: E402

QUICK = "--quick" in sys.argv
SECONDS = 3.0 if QUICK else 8.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NETS = [("default 2-4-2-1", {}), ("deep 10x32", DEEP)]


async def headless_rate(port: int, config: dict, seconds: float) -> float:
    """Steps/s of a session played by a client that reads frames and draws nothing."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None, compression=None) as ws:
        await ws.recv()
        await ws.recv()
        await ws.send(json.dumps({"type": "configure", "config": config}))
        await ws.send(json.dumps({"type": "play"}))
        steps = []
        started = time.perf_counter()
        while time.perf_counter() - started < seconds + 1:
            message = json.loads(await ws.recv())
            if message["type"] == "frame" and time.perf_counter() - started > 1:
                steps.append((time.perf_counter(), message["step"]))
        await ws.send(json.dumps({"type": "pause"}))
    (t0, s0), (t1, s1) = steps[0], steps[-1]
    return (s1 - s0) / (t1 - t0)


def page_figures(browser, port: int, config: dict) -> dict:
    """Play the page for SECONDS with every panel visible; then pause by a click."""
    page = browser.new_page(viewport={"width": 1500, "height": 2700})
    hash_ = "#config=" + urllib.parse.quote(json.dumps(config)) if config else ""
    page.goto(f"http://127.0.0.1:{port}/{hash_}")
    page.wait_for_function("window.backpropLab && window.backpropLab.getState().status === 'paused'"
                           " && window.backpropLab.getState().layers.length > 0", timeout=20000)
    if config:
        page.wait_for_function(f"window.backpropLab.getState().layers.length === {len(config['network']['hidden']) + 1}")
    page.click("[data-action=play]")
    page.wait_for_timeout(1000)
    before = page.evaluate("({f: window.backpropLab.stats.framesApplied, s: window.backpropLab.getState().step, t: performance.now()})")
    page.evaluate("window.backpropLab.stats.applyMs.length = 0")
    page.wait_for_timeout(int(SECONDS * 1000))
    after = page.evaluate("({f: window.backpropLab.stats.framesApplied, s: window.backpropLab.getState().step, t: performance.now(),"
                          " apply: [...window.backpropLab.stats.applyMs]})")
    pause_ms = page.evaluate("""() => new Promise((resolve) => {
        const t0 = performance.now();
        document.querySelector('[data-action=pause]').click();
        const check = () => window.backpropLab.getState().status === 'paused'
            ? resolve(performance.now() - t0) : requestAnimationFrame(check);
        check(); })""")
    stopped = page.evaluate("window.backpropLab.getState().step")
    page.wait_for_timeout(500)
    still = page.evaluate("window.backpropLab.getState().step")
    draws = page.evaluate("window.backpropLab.drawTimings()")
    page.close()
    seconds = (after["t"] - before["t"]) / 1000
    apply = np.array(after["apply"]) if after["apply"] else np.array([np.nan])
    return {"fps": (after["f"] - before["f"]) / seconds, "steps_per_s": (after["s"] - before["s"]) / seconds,
            "apply_median_ms": float(np.median(apply)), "apply_p95_ms": float(np.percentile(apply, 95)),
            "pause_ms": pause_ms, "stopped": stopped == still,
            "draw_median_ms": {k: float(np.median(v)) for k, v in draws.items() if v}}


def main() -> None:
    port = free_port()
    server = start_server(port, 1)
    rows, figures = [], {}
    try:
        # first without a page (sync Playwright keeps an event loop running while it is open)
        alone = {name: asyncio.run(headless_rate(port, config, SECONDS)) for name, config in NETS}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, config in NETS:
                f = page_figures(browser, port, config)
                rows.append((name, f"{f['fps']:.1f} frames applied/s",
                             f"apply median {f['apply_median_ms']:.1f} ms, p95 {f['apply_p95_ms']:.1f} ms",
                             f"pause {f['pause_ms']:.0f} ms ({'stopped' if f['stopped'] else 'STILL MOVING'})",
                             f"training {f['steps_per_s']:,.0f} steps/s = {100 * f['steps_per_s'] / alone[name]:.0f}% "
                             f"of {alone[name]:,.0f} with no page"))
                slowest = max(f["draw_median_ms"].items(), key=lambda kv: kv[1], default=("-", 0))
                rows.append(("", f"slowest panel: {slowest[0]} {slowest[1]:.0f} ms median per draw"))
                figures[name] = {**f, "steps_per_s_no_page": alone[name]}
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    report("bench/browser.py: the page in headless Chromium (software rendering), every panel visible",
           rows, figures)


if __name__ == "__main__":
    main()
