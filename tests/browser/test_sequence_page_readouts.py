"""A sequence run's readouts (issue 14, point 7): its full-set metrics in the predictions panel's
header, where a points run has them in the output panel's (hidden for sequences: no plane); and a
points run does not run the sequence panels' redraws at all."""
from labpage import run_steps, state, wait_state


def written(value: float) -> str:
    """A loss as readouts.js writes it: 4 decimals, or 3 significant digits in exponent form."""
    if abs(value) >= 1e4 or (value != 0 and abs(value) < 1e-3):
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return f"{value:.4f}"


def expected_readout(metrics: dict) -> str:
    parts = [f"train loss {written(metrics['train_loss'])}", f"test loss {written(metrics['test_loss'])}"]
    if metrics["test_accuracy"] is not None:
        parts.append(f"test accuracy {100 * metrics['test_accuracy']:.1f}%")
    return " · ".join(parts)


def test_a_sequence_run_shows_its_metrics_in_the_predictions_header(page):
    run_steps(page, 3)
    assert page.is_visible("#metrics") and page.is_hidden("[data-testid=sequence-metrics]")
    assert page.inner_text("#metrics") == expected_readout(state(page, "s.metrics"))
    page.click("[data-dataset=remember_first]")
    wait_state(page, "s.config.dataset.name === 'remember_first' && s.layers[0]?.kind === 'lstm' && s.step === 0")
    run_steps(page, 4)
    metrics = state(page, "s.metrics")
    assert metrics["test_accuracy"] is not None  # a classification set: its accuracy too
    readout = page.locator("[data-testid=sequence-metrics]")
    assert page.is_hidden("#metrics") and readout.is_visible()
    assert readout.inner_text() == expected_readout(metrics)
    assert "test accuracy" in readout.inner_text()
    assert readout.evaluate("e => e.closest('h2').textContent.startsWith('3 · Predictions')")
    page.click("[data-dataset=adding]")
    wait_state(page, "s.config.dataset.name === 'adding' && s.step === 0")
    run_steps(page, 2)
    metrics = state(page, "s.metrics")
    assert metrics["test_accuracy"] is None and readout.inner_text() == expected_readout(metrics)  # a regression: losses only


SEQUENCE_PANELS = ["panel-unrolled", "panel-gradtime", "panel-eigen", "panel-predictions"]
DRAWS = "(ids) => { const t = window.backpropLab.drawTimings(); return ids.map((id) => t[id].length); }"


def test_a_points_run_never_runs_the_sequence_panels_redraws(page):
    run_steps(page, 5)
    page.evaluate("() => window.backpropLab.transport.play()")
    page.wait_for_function("() => window.backpropLab.stats.framesApplied >= 30")
    page.evaluate("() => window.backpropLab.transport.pause()")
    wait_state(page, "s.status === 'paused'")
    assert page.evaluate(DRAWS, SEQUENCE_PANELS) == [0, 0, 0, 0]  # not one call, from the page's first frame on
    page.click("[data-dataset=remember_first]")
    wait_state(page, "s.config.dataset.name === 'remember_first' && s.layers[0]?.kind === 'lstm' && s.step === 0")
    run_steps(page, 3)
    page.locator("#panel-unrolled").scroll_into_view_if_needed()
    page.wait_for_function("() => window.backpropLab.charts.unrolled.drawn?.source"
                           " === window.backpropLab.getState().detail.layers[0].recurrent.through_time")
    drawn = page.evaluate(DRAWS, SEQUENCE_PANELS)
    assert drawn[0] > 0  # a sequence run draws them
    page.click("[data-dataset=moons]")
    wait_state(page, "s.config.dataset.name === 'moons' && s.layers[0]?.kind === 'dense' && s.step === 0")
    run_steps(page, 20)
    page.wait_for_function("() => window.backpropLab.charts.output.drawn?.values !== null")
    assert page.evaluate(DRAWS, SEQUENCE_PANELS) == drawn  # points again: none of them ran since
