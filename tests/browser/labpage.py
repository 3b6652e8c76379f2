"""Helpers for driving the page: read its state, wait on it (never sleep-and-hope), run steps."""
import json
import re
from urllib.parse import unquote

STATE = "window.backpropLab.getState()"
TIMEOUT_MS = 10_000  # the default for every wait on the page
LOAD_TIMEOUT_MS = 30_000  # for the page to load: parsing Plotly alone can take 10 s on a busy 2-core machine
# What Chromium logs when the server's trace validator (POST /api/trace/check) refuses an import
# with its 422 reply: expected in a test that imports a broken trace, not an error of the page.
REFUSED_BY_THE_SERVER = r"Failed to load resource: the server responded with a status of 422"


def state(page, expr: str = "s", arg=None):
    """Evaluate `expr` with `s` bound to the page's state (and `arg` to `arg`)."""
    return page.evaluate(f"(arg) => {{ const s = {STATE}; return ({expr}); }}", arg)


def wait_state(page, condition: str, arg=None, timeout: float = 10_000):
    """Wait until `condition` (JS, `s` = the page's state, `arg` = arg) is truthy."""
    page.wait_for_function(f"(arg) => {{ const s = {STATE}; return ({condition}); }}", arg=arg,
                           timeout=timeout)


def counter(page) -> int:
    """The step counter in the header, as a number ("1,234" -> 1234)."""
    return int(page.inner_text("[data-testid=step]").replace(",", ""))


def wait_counter(page, value: int, timeout: float = 10_000) -> None:
    page.wait_for_function(
        "n => document.querySelector('[data-testid=step]').textContent.replaceAll(',', '') === String(n)",
        arg=value, timeout=timeout)


def run_steps(page, count: int) -> int:
    """Train `count` steps through the page's transport and wait for their frame; returns the step."""
    target = state(page, "s.step") + count
    page.evaluate("n => window.backpropLab.transport.step(n)", count)
    wait_state(page, "s.step === arg && s.status === 'paused'", target)
    wait_counter(page, target)
    return target


def unfold(page, fold_id: str) -> None:
    """Open a group's "more" (`more-data`, `more-network`, `more-training`) as a person does."""
    if page.get_attribute(f"#{fold_id}", "open") is None:
        page.click(f"#{fold_id} > summary")
    page.wait_for_selector(f"#{fold_id} .fold-body", state="visible")


def hash_config(url: str):
    """The partial config in a page URL's hash parameter `config=...`, or None."""
    found = re.search(r"[#&]config=([^&]*)", url)
    return json.loads(unquote(found.group(1))) if found else None


def wait_network_drawn(page) -> None:
    """Wait until the network view drew the detail in the state."""
    page.wait_for_function("""() => { const chart = window.backpropLab.charts.network;
        return chart.scene !== null && chart.detail === window.backpropLab.getState().detail; }""")


LOSS_LINES = "(window.backpropLab.charts.loss.chart.spec || {lines: []}).lines"


def loss_chart(page) -> list:
    """The loss chart's lines as last drawn: [{name, x, y}] (typed arrays as lists)."""
    return page.evaluate(f"""() => {LOSS_LINES}.map((t) => ({{
        name: t.name, x: Array.from(t.x), y: Array.from(t.y, (v) => (Number.isNaN(v) ? null : v))}}))""")


def wait_loss_x(page, steps: list, timeout: float = 10_000) -> None:
    """Wait until the loss chart's first line (the minibatch loss) is drawn over exactly `steps`."""
    page.wait_for_function(f"""steps => {{ const d = {LOSS_LINES};
        return Boolean(d.length && JSON.stringify(Array.from(d[0].x)) === JSON.stringify(steps)); }}""",
                           arg=steps, timeout=timeout)


def export_trace(page, tmp_path):
    """Click Export, save the download under tmp_path; returns (path, download)."""
    with page.expect_download() as info:
        page.click("[data-action=export]")
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path, download


def ghost_of_an_earlier_run(page, tmp_path):
    """Export a 12-step run, reset, train 4 steps, import the export and keep it as the ghost
    overlay when the replay bar closes; returns the trace file's path."""
    run_steps(page, 12)
    path, _ = export_trace(page, tmp_path)
    page.click("[data-action=reset]")
    wait_state(page, "s.step === 0 && s.run > 1")
    run_steps(page, 4)
    page.set_input_files("#import-file", str(path))
    wait_state(page, "s.replay !== null")
    page.check("#ghost-toggle")
    page.click("#replay-close")
    assert page.is_hidden("#replay-bar")
    return path


def open_page(context, url: str, log):
    """A new page in `context` at `url`, once the hello and the first frame have arrived."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log.attach(page)
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    wait_ready(page)
    return page


def wait_ready(page) -> None:
    page.wait_for_function("""() => window.backpropLab && window.backpropLab.stats.framesApplied >= 1
        && document.querySelector('#status').textContent === 'paused'""", timeout=LOAD_TIMEOUT_MS)


def click_link(page, cd: list) -> None:
    """Hover link `cd` ([layer, row, column]) at its marked point until the view hovers it, then click."""
    point = page.evaluate(f"""cd => {{ const c = window.backpropLab.charts.network;
        const t = c.transform(c.element.clientWidth, c.element.clientHeight); const box = c.element.getBoundingClientRect();
        const l = window.backpropLab.charts.network.scene.links.find((l) => JSON.stringify(l.cd) === JSON.stringify(cd));
        return {{x: box.left + t.X(l.x), y: box.top + t.Y(l.y)}}; }}""", cd)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function("""cd => { const h = window.backpropLab.charts.network.hovered;
        return Boolean(h && JSON.stringify(h.cd) === JSON.stringify(cd)); }""", arg=cd)
    page.mouse.click(point["x"], point["y"])
