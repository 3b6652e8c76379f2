"""The instruments' panels (issue 16, points 2-4): in their fold below the main panels, each
draws the numbers of the server's replies (the gradient check's table, the loss along the step
with α = 0 and 1 marked, the sharpness over training against 2/lr), and a new run clears them."""
import pytest

from labpage import run_steps, state, wait_state

CAPTURE = """() => { window.replies = {gradcheck: [], line: [], sharpness: []};
    for (const kind of Object.keys(window.replies))
        window.backpropLab.transport.on(kind, (m) => window.replies[kind].push(m)); }"""
PLOTTED = "id => document.getElementById(id).data.map((t) => ({x: t.x, y: t.y}))"


@pytest.fixture
def instruments(page):
    """The page with its replies captured, 30 steps taken, and the instruments' fold opened."""
    page.evaluate(CAPTURE)
    run_steps(page, 30)
    page.click("#instruments > summary")
    page.wait_for_selector("#panel-line", state="visible")
    return page


def replies(page, kind: str) -> list:
    return page.evaluate("kind => window.replies[kind]", kind)


def test_the_fold_is_closed_and_measures_nothing_until_opened(page):
    page.evaluate(CAPTURE)
    run_steps(page, 3)
    assert page.get_attribute("#instruments", "open") is None
    assert not page.is_visible("#panel-gradcheck")
    assert state(page, "[s.gradcheck, s.line, s.sharpness.points.length]") == [None, None, 0]
    assert all(not replies(page, kind) for kind in ("gradcheck", "line", "sharpness"))


def test_the_gradient_check_table_shows_the_replys_numbers(instruments):
    page = instruments
    page.click("[data-action=gradcheck]")
    wait_state(page, "s.gradcheck !== null")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=gradcheck-row]').length === 6")
    reply = replies(page, "gradcheck")[-1]
    assert reply["step"] == 30 and reply["batch"] == reply["of"] == 10
    rows = page.evaluate("""() => [...document.querySelectorAll('[data-testid=gradcheck-row]')].map((r) =>
        ({cells: [...r.cells].map((c) => c.textContent), values: [...r.cells].map((c) => c.dataset.value),
          verdict: r.cells[4].dataset.verdict}))""")
    for row, entry in zip(rows, reply["entries"], strict=True):
        assert row["cells"][:3] == [entry["name"], entry["param"], f"all {entry['size']}"]
        assert float(row["values"][3]) == entry["rel_error"] and int(row["values"][2]) == entry["checked"]
        assert row["verdict"] == entry["verdict"] == "right" and row["cells"][4] == "right"
    assert page.inner_text("#gradcheck-note") == "At step 30, on 10 of 10 examples of the next batch, in float64."


def test_the_loss_along_the_step_draws_the_replys_curves_and_marks_alpha_0_and_1(instruments):
    page = instruments
    wait_state(page, "s.line !== null && s.line.step === 30")
    page.wait_for_function("() => (document.getElementById('chart-line').data || []).length === 3")
    reply = replies(page, "line")[-1]
    along, downhill, marks = page.evaluate(PLOTTED, "chart-line")
    assert along == {"x": reply["alpha"], "y": reply["loss"]}
    assert downhill == {"x": reply["alpha"], "y": reply["gradient_loss"]}
    at = {a: loss for a, loss in zip(reply["alpha"], reply["loss"])}
    assert marks == {"x": [0, 1], "y": [at[0.0], at[1.0]]}
    assert page.inner_text("#line-note").startswith(f"Step 30, ‖Δθ‖ = {reply['step_length']:.3g}.")
    run_steps(page, 1)  # each refreshed frame of a new step is measured
    wait_state(page, "s.line.step === 31")


def test_sharpness_is_tracked_every_n_steps_against_two_over_lr(instruments):
    page = instruments
    page.fill("#sharpness-every", "10")
    page.dispatch_event("#sharpness-every", "change")
    wait_state(page, "s.sharpness.points.some((p) => p.step === 30)")
    run_steps(page, 20)
    wait_state(page, "s.sharpness.points.some((p) => p.step === 50)")
    points = state(page, "s.sharpness.points.map((p) => p.step)")
    assert points[-3:] == [30, 40, 50]
    page.wait_for_function("n => (document.getElementById('chart-sharpness').data || [])[0]?.x.length === n",
                           arg=len(points))
    drawn, bound = page.evaluate(PLOTTED, "chart-sharpness")
    measured = {m["step"]: m for m in replies(page, "sharpness")}
    assert drawn == {"x": points, "y": [measured[s]["value"] for s in points]}
    assert bound == {"x": points, "y": [2 / 0.03] * len(points)}
    last = measured[50]
    assert page.inner_text("#sharpness-note").startswith(
        f"Step 50: sharpness {last['value']:.3g}, ")
    assert "The line is 2/lr" in page.inner_text("#panel-sharpness .note")


def test_a_new_run_clears_what_measured_the_last(instruments):
    page = instruments
    page.click("[data-action=gradcheck]")
    wait_state(page, "s.gradcheck !== null && s.line !== null")
    page.click("[data-action=reset]")
    wait_state(page, "s.step === 0 && s.gradcheck === null && s.line === null")
    wait_state(page, "s.sharpness.points.length === 1 && s.sharpness.points[0].step === 0")
    page.wait_for_function("() => document.querySelector('#gradcheck-note').textContent === 'Not checked in this run yet.'")
    page.wait_for_function("() => document.querySelector('#line-note').textContent === "
                           "'No step measured in this run yet: take a step.'")
