"""Issue 13, points 8 and 15: the full-set curves are the same at any speed (evaluated on a
schedule of steps, every point reaching the page), an empty chart says why, and a first visit
trains at a pace a person can watch, with flat out one click away."""
import json
import time

from engine.evaluations import due
from labpage import loss_chart, state, wait_ready, wait_state

SCHEDULE_300 = [s for s in range(301) if due(s)]  # 134 points: every step to 63, then thinner


def choose_preset(page, preset_id: str, layers: int) -> None:
    """Choose a preset in the menu and wait for its new run at step 0."""
    run = state(page, "s.run")
    page.select_option("#preset", preset_id)
    wait_state(page, "s.run > arg.run && s.step === 0 && s.layers.length === arg.layers && s.status === 'paused'",
               {"run": run, "layers": layers})


def full_set_lines(page) -> dict:
    """The loss chart's train and test lines as drawn: {name: {x, y}}."""
    return {line["name"]: line for line in loss_chart(page) if line["name"] in ("train", "test")}


def test_a_fast_preset_run_draws_the_full_set_loss_at_every_scheduled_step(page):
    choose_preset(page, "deep-sigmoid", 9)
    page.click("[data-action=preset-run]")  # 300 steps in a fraction of a second: one frame
    wait_state(page, "s.step === 300 && s.status === 'paused'", timeout=20_000)
    page.wait_for_function("() => { const l = (window.backpropLab.charts.loss.chart.spec || {lines: []}).lines"
                           ".find((x) => x.name === 'train'); return Boolean(l && l.x.at(-1) === 296); }")
    fast = full_set_lines(page)
    assert fast["train"]["x"] == fast["test"]["x"] == SCHEDULE_300  # a curve, not two points
    assert all(isinstance(v, float) for v in fast["train"]["y"] + fast["test"]["y"])

    # the same run stepped ten at a time draws the same curves
    choose_preset(page, "deep-sigmoid", 9)
    for target in range(10, 301, 10):
        page.evaluate("() => window.backpropLab.transport.step(10)")
        wait_state(page, "s.step === arg && s.status === 'paused'", target)
    page.wait_for_function("() => { const l = (window.backpropLab.charts.loss.chart.spec || {lines: []}).lines"
                           ".find((x) => x.name === 'train'); return Boolean(l && l.x.at(-1) === 296); }")
    assert full_set_lines(page) == fast


def test_the_distribution_chart_says_why_it_is_empty(page):
    page.locator("#panel-distributions").scroll_into_view_if_needed()
    page.wait_for_function("() => window.backpropLab.charts.dist.message.startsWith('no activation histograms')")
    page.evaluate("() => window.backpropLab.transport.step(300)")
    wait_state(page, "s.step === 300 && s.status === 'paused'")
    page.wait_for_function("() => window.backpropLab.charts.dist.message === "
                           "'histograms of one frame only (step 300): the bands need two or more; play, or step again'")
    assert state(page, "window.backpropLab.charts.dist.chart.spec.bands.length") == 0
    page.evaluate("() => window.backpropLab.transport.step(1)")
    wait_state(page, "s.step === 301")
    page.wait_for_function("() => window.backpropLab.charts.dist.message === ''")
    assert state(page, "window.backpropLab.charts.dist.median.x") == [300, 301]


def test_a_first_visit_plays_at_a_watchable_speed_and_flat_out_is_one_click(context, base_url, page_log):
    page = context.new_page()
    page_log.attach(page)
    received = []  # the server's messages, as the socket delivered them
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(payload)))
    page.goto(base_url)
    wait_ready(page)
    assert page.input_value("[data-testid=speed]") == "2000"
    wait_until(page, lambda: any('"type":"speed"' in m for m in received))
    speeds = [json.loads(m) for m in received if '"type":"speed"' in m]
    assert [m["steps_per_second"] for m in speeds] == [2000]  # the session was told at once

    started = time.monotonic()
    page.click("[data-action=play]")
    wait_state(page, "s.status === 'running' && s.step > 1000")
    assert state(page, "s.step") <= 2000 * (time.monotonic() - started) + 1  # the server's cap holds
    assert not page.is_disabled("[data-action=flat-out]")

    page.click("[data-action=flat-out]")  # one click
    wait_until(page, lambda: len([m for m in received if '"type":"speed"' in m]) == 2)
    assert json.loads([m for m in received if '"type":"speed"' in m][-1])["steps_per_second"] is None
    assert page.input_value("[data-testid=speed]") == ""
    assert page.is_disabled("[data-action=flat-out]")
    page.click("[data-action=pause]")
    wait_state(page, "s.status === 'paused'")


def wait_until(page, condition, timeout: float = 10.0) -> None:
    """Poll a Python-side condition (on messages the socket delivered) until it holds; the
    page's waits let Playwright deliver its events meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(20)
