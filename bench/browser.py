"""The page under load, in headless Chromium with every panel on screen: frames applied per
second while playing, ms to apply a frame (median, p95), ms from a click on pause to the counter
stopping (median and max of several clicks), and training steps/s with the page open against a
client that draws nothing, in alternating rounds.

`python bench/browser.py [--json] [--quick] [--net NAME]` (needs /usr/bin/chromium and playwright;
--net runs only the nets whose name contains NAME, e.g. `--net lstm`)
"""
import json
import sys
import time
import urllib.parse
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/, which would shadow `engine`
import numpy as np  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from bench.common import report  # noqa: E402
from bench.engine import DEEP, LSTM  # noqa: E402
from bench.stream import free_port, start_server  # noqa: E402

QUICK = "--quick" in sys.argv
SECONDS = 4.0 if QUICK else 12.0  # of playing, split between the rounds
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NETS = [("default 2-4-2-1", {}), ("deep 10x32", DEEP), ("lstm 16 units, seq_len 20, batch 32", LSTM)]
ONLY = sys.argv[sys.argv.index("--net") + 1] if "--net" in sys.argv else ""
ROUNDS = 2 if QUICK else 3  # each: training with no page, then with the page
PAUSES = 1 if QUICK else 3  # clicks on pause per round, each after playing again
# Waits for the next click on pause; resolves with the ms from the click's input event (so the wait
# for a draw in progress counts) to the page showing "paused", checked at every message and frame.
PAUSE_WATCH = """() => { window.__pauseMs = new Promise((resolve) => {
    const lab = window.backpropLab;
    document.querySelector('[data-action=pause]').addEventListener('click', (event) => {
        const done = () => lab.getState().status === 'paused';
        const finish = () => resolve(performance.now() - event.timeStamp);
        if (done()) return finish();
        const check = () => done() ? finish() : requestAnimationFrame(check);
        for (const type of ['frame', 'status']) lab.transport.on(type, () => { if (done()) finish(); });
        check();
    }, {capture: true, once: true}); }); }"""


def headless_rate(port: int, config: dict, seconds: float) -> float:
    """Steps/s of a session played by a client that reads frames and draws nothing, on the
    page's own kind of connection (it acknowledges each frame; detail only with heavy parts)."""
    with connect(f"ws://127.0.0.1:{port}/ws?ack=1&detail=heavy", max_size=None, compression=None) as ws:
        ws.recv()  # hello
        ws.recv()  # the frame of step 0
        ws.send('{"type":"ack"}')
        ws.send(json.dumps({"type": "configure", "config": config}))
        ws.send(json.dumps({"type": "play"}))
        steps = []
        started = time.perf_counter()
        while time.perf_counter() - started < seconds + 1:
            message = json.loads(ws.recv())
            if message["type"] == "frame":
                ws.send('{"type":"ack"}')
                if time.perf_counter() - started > 1:  # after a second of warming up
                    steps.append((time.perf_counter(), message["step"]))
        ws.send(json.dumps({"type": "pause"}))
    (t0, s0), (t1, s1) = steps[0], steps[-1]
    return (s1 - s0) / (t1 - t0)


def open_page(browser, port: int, config: dict):
    """A page with every panel visible, loaded with `config` and paused."""
    page = browser.new_page(viewport={"width": 1500, "height": 2700})
    hash_ = "#config=" + urllib.parse.quote(json.dumps(config)) if config else ""
    page.goto(f"http://127.0.0.1:{port}/{hash_}")
    layers = len(config["network"]["hidden"]) + 1 if config else 0
    page.wait_for_function(f"window.backpropLab && window.backpropLab.getState().status === 'paused'"
                           f" && window.backpropLab.getState().layers.length > {layers - 1}", timeout=20000)
    return page


def page_round(browser, port: int, config: dict, seconds: float, pauses: int) -> dict:
    """Play a fresh page for `seconds` (after one of warming up); then pause by clicks, playing
    again for a while before each."""
    page = open_page(browser, port, config)
    page.click("[data-action=flat-out]")  # the page starts at a watchable speed; this measures flat out
    page.click("[data-action=play]")
    page.wait_for_timeout(1000)
    state = "({f: window.backpropLab.stats.framesApplied, s: window.backpropLab.getState().step, t: performance.now()})"
    before = page.evaluate(state)
    page.evaluate("window.backpropLab.stats.applyMs.length = 0")
    page.wait_for_timeout(int(seconds * 1000))
    after = page.evaluate(state)
    apply = page.evaluate("[...window.backpropLab.stats.applyMs]")
    draws = page.evaluate("window.backpropLab.drawTimings()")
    pause_ms, stopped = [], True
    for k in range(pauses):
        if k:  # the panels are busy again when the click comes
            page.click("[data-action=play]")
            page.wait_for_function("window.backpropLab.getState().status === 'running'")
            page.wait_for_timeout(1500)
        page.evaluate(PAUSE_WATCH)
        page.click("[data-action=pause]")
        pause_ms.append(page.evaluate("window.__pauseMs"))
        step = page.evaluate("window.backpropLab.getState().step")
        page.wait_for_timeout(300)
        stopped = stopped and step == page.evaluate("window.backpropLab.getState().step")
    page.close()
    elapsed = (after["t"] - before["t"]) / 1000
    return {"fps": (after["f"] - before["f"]) / elapsed, "steps_per_s": (after["s"] - before["s"]) / elapsed,
            "apply_ms": apply, "pause_ms": pause_ms, "stopped": stopped, "draws": draws}


def net_figures(browser, port: int, config: dict) -> dict:
    """ROUNDS of: training with no page, then with the page; each round's ratio is of rates
    measured a few seconds apart (this machine's speed drifts by ±20% over a minute)."""
    rounds = []
    for _ in range(ROUNDS):
        alone = headless_rate(port, config, SECONDS / ROUNDS)
        rounds.append({**page_round(browser, port, config, SECONDS / ROUNDS, PAUSES), "alone": alone})
    apply = np.array([ms for r in rounds for ms in r["apply_ms"]] or [np.nan])
    pauses = [ms for r in rounds for ms in r["pause_ms"]]
    draws = {}
    for r in rounds:
        for k, v in r["draws"].items():
            draws.setdefault(k, []).extend(v)
    return {"fps": float(np.median([r["fps"] for r in rounds])),
            "steps_per_s": float(np.median([r["steps_per_s"] for r in rounds])),
            "steps_per_s_no_page": float(np.median([r["alone"] for r in rounds])),
            "training_ratio": float(np.median([r["steps_per_s"] / r["alone"] for r in rounds])),
            "training_ratios": [r["steps_per_s"] / r["alone"] for r in rounds],
            "apply_median_ms": float(np.median(apply)), "apply_p95_ms": float(np.percentile(apply, 95)),
            "pause_ms": pauses, "pause_median_ms": float(np.median(pauses)), "pause_max_ms": max(pauses),
            "stopped": all(r["stopped"] for r in rounds),
            "draw_median_ms": {k: float(np.median(v)) for k, v in draws.items() if v}}


def main() -> None:
    port = free_port()
    server = start_server(port, 1)
    rows, figures = [], {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, config in [(name, config) for name, config in NETS if ONLY in name]:
                f = net_figures(browser, port, config)
                ratios = ", ".join(f"{100 * r:.0f}%" for r in f["training_ratios"])
                rows.append((name, f"{f['fps']:.1f} frames applied/s",
                             f"apply median {f['apply_median_ms']:.1f} ms, p95 {f['apply_p95_ms']:.1f} ms",
                             f"pause median {f['pause_median_ms']:.0f} ms, max {f['pause_max_ms']:.0f} ms of "
                             f"{len(f['pause_ms'])} ({'stopped' if f['stopped'] else 'STILL MOVING'})",
                             f"training {f['steps_per_s']:,.0f} steps/s, {100 * f['training_ratio']:.0f}% of its "
                             f"rate with no page (rounds: {ratios})"))
                slowest = max(f["draw_median_ms"].items(), key=lambda kv: kv[1], default=("-", 0))
                rows.append(("", f"slowest panel: {slowest[0]} {slowest[1]:.0f} ms median per draw"))
                figures[name] = f
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    report("bench/browser.py: the page in headless Chromium (software rendering), every panel visible",
           rows, figures)


if __name__ == "__main__":
    main()
