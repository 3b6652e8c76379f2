"""The instruments' presets on the page (issue 16, point 5): choosing one opens the instruments'
fold, and its run shows what its note says: every step overshooting in the loss along the step,
or the sharpness rising to the 2/lr line and hovering there."""
from labpage import state, wait_state
from test_preset_page import load_preset, run_preset


def test_too_large_a_rate_shows_its_last_step_overshooting(page, catalog):
    preset = load_preset(page, catalog, "lr-too-large")
    assert page.get_attribute("#instruments", "open") is not None  # opened for the preset
    run_preset(page, preset)
    wait_state(page, "s.line !== null && s.line.step === arg", preset["steps"])
    line = state(page, "s.line")
    at = dict(zip(line["alpha"], line["loss"]))
    assert at[1.0] > at[0.0] and line["alpha"][line["loss"].index(min(line["loss"]))] <= 0.5
    page.locator("#panel-line").scroll_into_view_if_needed()  # panels below the screen draw once seen
    page.wait_for_function("() => document.querySelector('#line-note').textContent.includes('The step overshot')")
    assert page.evaluate("() => document.getElementById('chart-line').data[0].y") == line["loss"]


def test_on_the_diverged_run_the_gradient_check_cannot_tell_rather_than_call_it_wrong(page, catalog):
    preset = load_preset(page, catalog, "lr-too-large")
    run_preset(page, preset)
    page.click("[data-action=gradcheck]")
    wait_state(page, "s.gradcheck !== null && s.gradcheck.step === arg", preset["steps"])
    assert {e["verdict"] for e in state(page, "s.gradcheck.entries")} == {"roundoff"}  # the loss is above 1e17
    page.locator("#panel-gradcheck").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=gradcheck-row]').length === 6")
    rows = page.evaluate("""() => [...document.querySelectorAll('[data-testid=gradcheck-row]')].map((r) =>
        [r.cells[3].textContent, r.cells[4].textContent, r.cells[4].title])""")
    assert len(rows) == 6 and all(row[:2] == ["—", "cannot tell"] and "roundoff" in row[2] for row in rows), rows


def test_full_batch_descent_shows_the_sharpness_hovering_at_two_over_lr(page, catalog):
    preset = load_preset(page, catalog, "edge-of-stability")
    assert page.get_attribute("#instruments", "open") is not None
    wait_state(page, "s.sharpness.points.some((p) => p.step === 0)")  # tracked from the new run's start
    run_preset(page, preset)
    wait_state(page, "s.sharpness.points.some((p) => p.step === 500)", timeout=30_000)
    points = state(page, "s.sharpness.points.map((p) => [p.step, p.value / p.two_over_lr])")
    assert points[0][0] == 0 and points[0][1] < 0.5, points
    assert all(step % 25 == 0 for step, _ in points)  # every 25 steps (some skipped if the machine is busy)
    late = [ratio for step, ratio in points if step >= 300]
    assert late and all(0.75 < r < 1.25 for r in late), points
    page.locator("#panel-sharpness").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#sharpness-note').textContent.startsWith('Step 500:')")
