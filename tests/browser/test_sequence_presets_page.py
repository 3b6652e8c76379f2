"""The sequence presets in a real browser (issue 14, point 8): the tanh-RNN preset, chosen and run,
shows in the gradient-through-time panel's data a ‖dL/dh_1‖/‖dL/dh_T‖ below 1e-6 with the vanishing
badge; the LSTM preset's panel shows its ‖dL/dh_t‖ fading without that badge, and it learns."""
import re

import numpy as np

from labpage import wait_state
from test_preset_page import badge, load_preset

CHARTS = "window.backpropLab.charts"


def run_to_end(page, preset: dict) -> dict:
    """Click the note's "Run N steps", wait for the gradient-through-time panel to draw the last
    step and return what it drew ({step, lines [{layer, y}], heatmap})."""
    page.click("[data-action=preset-run]")
    wait_state(page, "s.step === arg && s.status === 'paused'", preset["steps"], timeout=180_000)
    page.locator("#panel-gradtime").scroll_into_view_if_needed()
    name = f'{preset["config"]["network"]["hidden"][0]["kind"]}1'  # drawn from this run, not the last preset's
    page.wait_for_function(f"""([n, name]) => {{ const d = {CHARTS}.gradtime.drawn;
        return d && d.step === n && d.lines[0].name === name; }}""", arg=[preset["steps"], name])
    return page.evaluate(f"() => {CHARTS}.gradtime.drawn")


def first_to_last(drawn: dict) -> float:
    y = drawn["lines"][0]["y"]
    return y[0] / y[-1]


def test_the_vanishing_preset_shows_its_fade_and_the_lstm_learns_without_the_badge(page, catalog):
    preset = load_preset(page, catalog, "rnn-vanishing")
    assert page.is_visible("#panel-gradtime") and page.is_visible("#panel-predictions")
    drawn = run_to_end(page, preset)
    assert len(drawn["lines"]) == 1 and len(drawn["lines"][0]["y"]) == 50
    assert first_to_last(drawn) < 1e-6
    assert drawn["heatmap"]["steps"][-1] == preset["steps"]
    assert np.nanmax(np.array(drawn["heatmap"]["z"], dtype=float)[0]) < -4  # t = 1 faint on every step
    assert "vanishing through time" in page.inner_text("#gradtime-note")
    assert badge(page, "vanishing_through_time")["status"] == "warn"

    lstm = load_preset(page, catalog, "lstm-remembers")
    drawn = run_to_end(page, lstm)
    assert first_to_last(drawn) < 1e-2  # dL/dh_t fades here too: the memory runs in the cell c
    assert "an LSTM carries its memory back along its cell c" in page.inner_text("#gradtime-note")
    shown = badge(page, "vanishing_through_time")
    assert shown["status"] == "unknown" and "its cell c" in shown["text"] + shown["title"]
    page.locator("#panel-predictions").scroll_into_view_if_needed()  # off screen, it kept the last preset's drawing
    page.wait_for_function(f"() => {CHARTS}.predictions.drawn === window.backpropLab.getState().detail.sequence.predictions")
    accuracy = re.search(r"test accuracy ([0-9.]+)%", page.inner_text("#predictions-note")).group(1)
    assert float(accuracy) >= 90
