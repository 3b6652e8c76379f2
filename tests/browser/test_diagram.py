"""The network diagram as a place to read and edit the net (issue 17, points 3, 4 and 5): link
widths that mean something, neurons and inputs shown as maps, edits made on the diagram itself."""
import math
import re

import pytest
from labpage import run_steps, state, wait_network_drawn

SCENE = "window.backpropLab.charts.network.scene"


def link_widths(page) -> list:
    """The drawn links' [value, width] pairs."""
    return page.evaluate(f"() => {SCENE}.links.map((l) => [l.value, l.width])")


# ---- point 4: link widths -----------------------------------------------------------------------
def test_link_width_is_relative_by_default_and_log_one_click_away(page):
    run_steps(page, 5)
    wait_network_drawn(page)
    note = page.locator("[data-testid=link-width-note]")
    largest = max(abs(v) for v, _ in link_widths(page))
    assert note.inner_text() == f"Link width ∝ |W|, relative to the largest in view ({largest:.3g})."
    pairs = link_widths(page)
    assert [w for _, w in pairs] == pytest.approx([abs(v) / largest for v, _ in pairs], rel=1e-12)
    assert max(w for _, w in pairs) == 1

    page.check("[data-testid=link-log]")
    page.wait_for_function(f"() => {SCENE}.widthNote.includes('log')")
    low, high = re.fullmatch(r"Link width ∝ log₁₀ \|W\|, over 6 decades: (\S+) to (\S+)\.", note.inner_text()).groups()
    assert (float(low), float(high)) == pytest.approx((largest / 1e6, largest), rel=5e-3)
    pairs = link_widths(page)
    expected = [max(0, min(1, (math.log10(abs(v) / largest) + 6) / 6)) for v, _ in pairs]
    assert [w for _, w in pairs] == pytest.approx(expected, rel=1e-12)

    page.select_option("#network-mode", "grads")  # the note names the tensor the links show
    page.wait_for_function(f"() => {SCENE}.widthNote.startsWith('Link width ∝ log₁₀ |dL/dW|')")
    page.uncheck("[data-testid=link-log]")
    page.wait_for_function(f"() => {SCENE}.widthNote.startsWith('Link width ∝ |dL/dW|, relative')")
    assert note.inner_text().startswith("Link width ∝ |dL/dW|, relative to the largest in view")
