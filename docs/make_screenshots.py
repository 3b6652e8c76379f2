"""Take the README's screenshots of the page in Debian's Chromium, against a server this script
starts itself (a free loopback port, in a thread):

- docs/gradient-flow-vanishing.png: the gradient-flow panel after the `deep-sigmoid` preset's
  steps (300): the first layers' ‖dW‖ sit decades below the last layer's.
- docs/gradient-flow-exploding.png: the panel after the `large-init` preset's steps (60): the
  output layer's ‖dW‖ climbs about ten orders of magnitude while the saturated tanh layers' fall.
- docs/screenshot.png: the whole page (viewport 1500×1100) after playing the default net flat out
  for ~3 s.
- docs/deep-net.png: the network panel of the deepest net the lab trains (32 hidden tanh layers)
  after 200 steps: its first and last columns around the slot that stands for the rest.
- docs/replay-mode.png: the page in replay mode (viewport 1500×1100): the default net's 800 steps,
  exported from the page and imported again over a new live run, at its snapshot of step 200.
- docs/first-screen-after.png (or -NAME with --first-screen-name NAME): the first screen at
  1440×900, what a person sees without scrolling, on the default net (the spiral, 4-2 tanh, as
  TensorFlow Playground's) after 500 steps: docs/first-screen.md sets it beside the page before
  issue 17 and Playground's.
- docs/lesson-link.png: the first screen at 1440×900 of a lesson link (LESSON below): the
  `deep-sigmoid` preset with only the network, the gradient flow and the loss, its setup locked,
  after its "Run 300 steps".
- docs/fast-preset-loss.png: the loss panel after the `deep-relu-he` preset's 300 steps, which
  run in a fraction of a second and arrive in one frame: the full-set train and test loss are
  still curves (evaluated on a schedule of steps, every point carried in the frame).

Needs the "test" extra (playwright) and /usr/bin/chromium (BACKPROP_LAB_CHROMIUM overrides it).
Run from anywhere: ``python docs/make_screenshots.py [--only vanishing|exploding|page|deep|replay|loss|first-screen|lesson ...]
[--first-screen-name NAME]``.
"""
import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # so the script runs without installing the package
sys.path.insert(0, str(ROOT / "tests" / "browser"))  # the browser tests' page helpers

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from engine.config import merge  # noqa: E402
from engine.evaluations import due  # noqa: E402
from labpage import export_trace, run_steps, state, wait_counter, wait_ready, wait_state  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402

DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("BACKPROP_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Used when the catalog lacks the preset: the same setups as engine/presets.json.
FALLBACK = {
    "deep-sigmoid": ({"dataset": {"name": "circle"}, "network": {"hidden": [{"units": 12, "activation": "sigmoid"}] * 8,
                      "init": "uniform"}, "training": {"learning_rate": 0.3, "batch_size": 25}}, 300),
    "large-init": ({"dataset": {"name": "plane"}, "network": {"hidden": [{"units": 8, "activation": "tanh"}] * 2,
                    "init": "normal", "init_gain": 1.0}, "training": {"loss": "mse", "learning_rate": 0.35}}, 60),
    "deep-relu-he": ({"dataset": {"name": "circle"}, "network": {"hidden": [{"units": 12, "activation": "relu"}] * 8,
                      "init": "he_normal"}, "training": {"learning_rate": 0.05, "batch_size": 25}}, 300),
}
# A lesson link's hash (README, "Teacher mode").
LESSON = "#preset=deep-sigmoid&hide=output,phase,ratio,saturated,dead,clip,distributions,more&lock=setup"


def start_server() -> tuple:
    """(base url, uvicorn server, thread): the app on a free loopback port."""
    settings = Settings()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=sock.getsockname()[1],
                            ws_per_message_deflate=False, ws_max_size=settings.max_transport_bytes,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise SystemExit("the server did not start")
    return f"http://127.0.0.1:{sock.getsockname()[1]}/", server, thread


def open_page(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    wait_ready(page)
    return page, errors


def settle(page) -> None:
    """Two animation frames: what the panels drew last has been painted."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def load_preset(page, preset_id: str) -> int:
    """Set the page up as the preset does and wait for its run at step 0; returns its steps."""
    catalog = state(page, "s.catalog")
    preset = next((p for p in catalog["presets"] if p["id"] == preset_id), None)
    partial, steps = (preset["config"], preset["steps"]) if preset else FALLBACK[preset_id]
    run = state(page, "s.run")
    if preset:
        page.select_option("#preset", preset_id)  # as a person does: the menu, with its note
    else:
        page.evaluate("c => window.backpropLab.transport.configure(c)", merge(catalog["defaults"], partial))
    hidden = partial["network"]["hidden"]
    wait_state(page, "s.run > arg.run && s.step === 0 && s.status === 'paused' && s.layers.length === arg.n "
                     "&& JSON.stringify(s.config.network.hidden) === JSON.stringify(arg.hidden)",
               {"run": run, "n": len(hidden) + 1, "hidden": hidden})
    return steps


def flow_shot(browser, url: str, preset_id: str, path: Path) -> None:
    """Run a preset's steps and take the gradient-flow panel as drawn at the last one."""
    page, errors = open_page(browser, url, 1400, 1000)
    steps = run_steps(page, load_preset(page, preset_id))
    page.locator("#panel-flow").scroll_into_view_if_needed()
    page.wait_for_function("""n => { const f = window.backpropLab.charts.flow, h = window.backpropLab.history();
        return h.n === n && f.series.length > 0 && f.series.every((x, k) =>
            x.y.length === n && x.y[n - 1] === h.layers.grad_norm[(n - 1) * h.nLayers + x.layer]); }""", arg=steps)
    page.wait_for_function("n => window.backpropLab.charts.flowmap.x.at(-1) === n", arg=steps)  # drawn apart
    settle(page)
    page.locator("#panel-flow").screenshot(path=str(path))
    report(path, f"{preset_id}, {steps} steps", errors)
    page.context.close()


def loss_shot(browser, url: str, preset_id: str, path: Path) -> None:
    """Run a preset's steps (one `step` message) and take the loss panel once its curves are in."""
    page, errors = open_page(browser, url, 1400, 1000)
    steps = run_steps(page, load_preset(page, preset_id))
    last = max(s for s in range(steps + 1) if due(s))  # the last scheduled full-set evaluation
    page.locator("#panel-loss").scroll_into_view_if_needed()
    page.wait_for_function("""n => { const spec = window.backpropLab.charts.loss.chart.spec;
        const train = spec && spec.lines.find((l) => l.name === 'train');
        return Boolean(train && train.x.at(-1) === n); }""", arg=last)
    page.mouse.move(0, 0)
    settle(page)
    page.locator("#panel-loss").screenshot(path=str(path))
    report(path, f"{preset_id}, {steps} steps, {state(page, 's.live.metrics.step.length')} full-set points", errors)
    page.context.close()


def page_shot(browser, url: str, path: Path, seconds: float = 3.0) -> None:
    """Play the default net flat out for `seconds`, pause, and take the viewport once the panels
    caught up."""
    page, errors = open_page(browser, url, 1500, 1100)
    page.click("[data-action=flat-out]")
    page.click("[data-action=play]")
    wait_state(page, "s.status === 'running'")
    page.wait_for_timeout(seconds * 1000)  # the point is to play for a while
    page.click("[data-action=pause]")
    wait_state(page, "s.status === 'paused'")
    step = state(page, "s.step")
    last = max(s for s in range(step + 1) if due(s))  # the last scheduled full-set evaluation
    page.wait_for_function("""n => { const spec = window.backpropLab.charts.loss.chart.spec;
        const train = spec && spec.lines.find((l) => l.name === 'train'); // the full-set train loss
        return Boolean(train && train.x.at(-1) === n); }""", arg=last)
    page.mouse.move(0, 0)  # no hover label in the picture
    settle(page)
    page.screenshot(path=str(path))
    report(path, f"default net, paused at step {step}", errors)
    page.context.close()


def first_screen_shot(browser, url: str, path: Path, steps: int = 500) -> None:
    """Train the default net `steps` steps and take the first screen at 1440×900, unscrolled."""
    page, errors = open_page(browser, url, 1440, 900)
    run_steps(page, steps)
    last = max(s for s in range(steps + 1) if due(s))  # the last scheduled full-set evaluation
    # only the panels on screen draw: the loss where it is in view, the output plane always
    page.wait_for_function("""n => { const spec = window.backpropLab.charts.loss.chart.spec;
        const train = spec && spec.lines.find((l) => l.name === 'train');
        const box = document.querySelector('#chart-loss').getBoundingClientRect();
        return box.top > innerHeight || Boolean(train && train.x.at(-1) === n); }""", arg=last)
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)  # the network and output panels draw within their 300 ms
    settle(page)
    page.screenshot(path=str(path))
    report(path, f"default net, {steps} steps, 1440×900", errors)
    page.context.close()


def lesson_shot(browser, url: str, path: Path) -> None:
    """Open the lesson link, click its note's "Run N steps" and take the first screen."""
    page, errors = open_page(browser, url + LESSON, 1440, 900)
    page.wait_for_selector("#preset-note[data-preset=deep-sigmoid]", state="visible")
    steps = state(page, "s.catalog.presets.find((p) => p.id === 'deep-sigmoid').steps")
    wait_state(page, "s.config.network.hidden.length === 8 && s.step === 0 && s.status === 'paused'")
    page.click("[data-action=preset-run]")
    wait_state(page, "s.step === arg && s.status === 'paused'", steps, timeout=60_000)
    page.wait_for_function("n => window.backpropLab.charts.flowmap.x.at(-1) === n", arg=steps)
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)  # the network panel draws within its 300 ms
    settle(page)
    page.screenshot(path=str(path))
    report(path, f"lesson link, {steps} steps", errors)
    page.context.close()


def deep_shot(browser, url: str, path: Path, steps: int = 200) -> None:
    """Train the deepest net (every hidden layer 6 tanh units) and take the network panel."""
    catalog_page, _ = open_page(browser, url, 800, 600)
    most = state(catalog_page, "s.catalog.limits.max_hidden_layers")
    catalog_page.context.close()
    config = {"network": {"hidden": [{"units": 6, "activation": "tanh"}] * most}}
    page, errors = open_page(browser, f"{url}#config={quote(json.dumps(config))}", 1400, 1000)
    wait_state(page, "s.layers.length === arg", most + 1)
    run_steps(page, steps)
    page.wait_for_function("() => document.querySelector('#network-summary').textContent.includes('not drawn')")
    page.mouse.move(0, 0)
    settle(page)
    page.locator("#panel-network").screenshot(path=str(path))
    report(path, f"{most} hidden layers, {steps} steps", errors)
    page.context.close()


def replay_shot(browser, url: str, path: Path, steps: int = 800, shown: int = 200) -> None:
    """Train the default net `steps` steps, export, start a new live run, import the export and
    take the viewport at the trace's snapshot of step `shown`."""
    page, errors = open_page(browser, url, 1500, 1100)
    run_steps(page, steps)
    with tempfile.TemporaryDirectory() as folder:
        trace, _ = export_trace(page, Path(folder))
        page.click("[data-action=reset]")
        wait_state(page, "s.step === 0 && s.run > 1")
        run_steps(page, 30)
        page.set_input_files("#import-file", str(trace))
        wait_state(page, "s.replay !== null")
    index = state(page, "s.replay.snapshots.findIndex((x) => x.step === arg)", shown)
    page.eval_on_selector("#replay-slider", "(el, i) => { el.value = i; el.dispatchEvent(new Event('input')); }", index)
    wait_counter(page, shown)
    page.wait_for_function("""n => { const spec = window.backpropLab.charts.loss.chart.spec;
        const line = spec && spec.lines.find((l) => l.name === 'minibatch');
        return Boolean(line && line.x.at(-1) === n); }""", arg=steps)
    page.wait_for_function("""() => { const s = window.backpropLab.getState();
        return window.backpropLab.charts.output.input?.grid === s.replay.snapshots[s.replay.index].detail.output_grid; }""")
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)  # the network panel, marked with the output panel, draws within its 300 ms
    settle(page)
    page.screenshot(path=str(path))
    report(path, f"replay of {steps} steps at step {shown}", errors)
    page.context.close()


def report(path: Path, what: str, errors: list) -> None:
    print(f"{path.relative_to(ROOT)}: {what}" + (f" (page errors: {errors})" if errors else ""))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shots = ["vanishing", "exploding", "page", "deep", "replay", "loss", "first-screen", "lesson"]
    parser.add_argument("--only", nargs="+", choices=shots, default=shots)
    parser.add_argument("--first-screen-name", default="after",
                        help="the first screen goes to docs/first-screen-NAME.png (before: the page before issue 17)")
    args = parser.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} does not exist (apt-get install chromium)")
    url, server, thread = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            if "vanishing" in args.only:
                flow_shot(browser, url, "deep-sigmoid", DOCS / "gradient-flow-vanishing.png")
            if "exploding" in args.only:
                flow_shot(browser, url, "large-init", DOCS / "gradient-flow-exploding.png")
            if "page" in args.only:
                page_shot(browser, url, DOCS / "screenshot.png")
            if "deep" in args.only:
                deep_shot(browser, url, DOCS / "deep-net.png")
            if "replay" in args.only:
                replay_shot(browser, url, DOCS / "replay-mode.png")
            if "loss" in args.only:
                loss_shot(browser, url, "deep-relu-he", DOCS / "fast-preset-loss.png")
            if "first-screen" in args.only:
                first_screen_shot(browser, url, DOCS / f"first-screen-{args.first_screen_name}.png")
            if "lesson" in args.only:
                lesson_shot(browser, url, DOCS / "lesson-link.png")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(15)


if __name__ == "__main__":
    main()
