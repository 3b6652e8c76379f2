"""Phase stepping fills the unrolled view as the pass computes it (issue 14, point 7): going forward
from t = 1 the cells are the step in progress's h_1..h_t, the later time steps blank; switched to
dL/dh_t they stay blank until the backward pass fills them in from t = T down; once the step is done
the view shows its frame's detail."""
import numpy as np

from labpage import wait_state
from server.encoding import unpack
from test_sequence_page import CHARTS, last_heavy, recorded_page

T, H = 4, 3


def drawn_after_phase(page, phase: str, t) -> dict:
    """Click Phase, wait for the reply (`phase`, `t`) and for the unrolled view drawn from it."""
    page.click("[data-action=phase]")
    wait_state(page, "s.phase !== null && s.phase.phase === arg[0] && (s.phase.t ?? null) === arg[1]", [phase, t])
    highlight = None if t is None else {"t": t, "direction": phase}
    page.wait_for_function(f"h => JSON.stringify({CHARTS}.unrolled.drawn?.highlight ?? null) === JSON.stringify(h)",
                           arg=highlight)  # the phase and what it computed arrive in one change of the state
    return page.evaluate(f"() => ({{ ...{CHARTS}.unrolled.drawn, note: document.querySelector('#unrolled-note').textContent }})")


def columns(z) -> np.ndarray:
    """A drawn H × T band as (T, H), NaN where the cell is blank (not computed)."""
    return np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float).T


def set_mode(page, mode: str) -> None:
    page.select_option("#unrolled-mode", mode)
    page.wait_for_function(f"m => {CHARTS}.unrolled.drawn?.mode === m", arg=mode)


def test_phase_stepping_shows_the_cells_the_pass_has_computed_and_no_stale_ones(context, base_url, page_log):
    page, frames = recorded_page(context, base_url, page_log)
    page.evaluate("() => window.backpropLab.transport.configure({dataset: {name: 'remember_first', seq_len: 4},"
                  " network: {hidden: [{kind: 'lstm', units: 3}]}})")
    wait_state(page, "s.layers[0]?.kind === 'lstm' && s.config.dataset.seq_len === 4 && s.step === 0")
    page.evaluate("() => window.backpropLab.transport.step(1)")
    wait_state(page, "s.step === 1 && s.detail?.layers[0]?.recurrent?.through_time?.dh != null")
    page.locator("#panel-unrolled").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {CHARTS}.unrolled.drawn?.source === window.backpropLab.getState().detail.layers[0].recurrent.through_time")
    last_step = columns(page.evaluate(f"() => {CHARTS}.unrolled.drawn.z"))
    assert not np.isnan(last_step).any()  # step 1's states, every cell

    forward = []
    for t in range(1, T + 1):
        drawn = drawn_after_phase(page, "forward", t)
        cells = columns(drawn["z"])
        assert not np.isnan(cells[:t]).any() and np.isnan(cells[t:]).all(), t  # h_1..h_t; the rest blank
        assert drawn["output"] is None  # the loss has not run
        forward.append(cells[:t])
        assert f"forward pass at t = {t} of {T}" in drawn["note"]
        if t < T:
            assert f"t = 1 … {t} computed, the grey ones not yet" in drawn["note"]
    assert "all 4 computed" in drawn["note"]
    assert not np.allclose(forward[-1], last_step)  # step 2's states, not step 1's
    set_mode(page, "dh")
    drawn = page.evaluate(f"() => {CHARTS}.unrolled.drawn")
    assert np.isnan(columns(drawn["z"])).all()  # no gradient of this step yet
    assert "dL/dh_t of this step: none computed yet" in page.inner_text("#unrolled-note")

    drawn_after_phase(page, "forward", None)  # dense2
    drawn_after_phase(page, "loss", None)
    drawn = drawn_after_phase(page, "backward", None)  # dense2
    assert np.isnan(columns(drawn["z"])).all()
    backward = {}
    for t in range(T, 0, -1):
        drawn = drawn_after_phase(page, "backward", t)
        assert len(drawn["output"][0]) == 1  # many-to-one: the example's output, with the first recurrent backward phase
        cells = columns(drawn["z"])
        assert np.isnan(cells[:t - 1]).all() and not np.isnan(cells[t - 1:]).any(), t  # dL/dh_t..dL/dh_T
        backward[t] = cells[t - 1:]
        assert f"backward pass at t = {t} of {T}" in drawn["note"]
    set_mode(page, "h")
    drawn = page.evaluate(f"() => {CHARTS}.unrolled.drawn")
    assert np.array_equal(columns(drawn["z"]), forward[-1])  # every h_t of this step, as its forward left them

    page.click("[data-action=phase]")  # the update: the frame of step 2 follows
    wait_state(page, "s.step === 2")
    frame = last_heavy(frames)
    assert frame["step"] == 2
    through = frame["detail"]["layers"][0]["recurrent"]["through_time"]
    h, dh = unpack(through["h"]), unpack(through["dh"])
    quantum = (through["h"]["max"] - through["h"]["min"]) / 254  # h is quantized in frames
    for t, cells in enumerate(forward, start=1):
        np.testing.assert_allclose(cells, h[:t], rtol=0, atol=quantum)
    for t, cells in backward.items():
        assert np.array_equal(cells.astype(np.float32), dh[t - 1:])
    page.wait_for_function(f"() => {CHARTS}.unrolled.drawn?.source === window.backpropLab.getState().detail.layers[0].recurrent.through_time")
    assert page.inner_text("#unrolled-note").startswith("lstm1, training example ")
