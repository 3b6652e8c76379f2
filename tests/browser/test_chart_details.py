"""Issue 13, points 9, 10 and 11: badges that name no layer fade none, the flow map follows the
panel's "Show", the badge bar never makes the page jump, and the step-through, loss, histogram,
flow and network views say what they show (colour scales, whole titles, one step number, distinct
ticks, marks where a log axis cannot go, the explanation in view, a note that is seen)."""
import math

from labpage import click_link, run_steps, state, wait_state

FLOW = "window.backpropLab.charts.flow"


def choose_preset(page, preset_id: str, layers: int) -> None:
    """Choose a preset in the menu and wait for its new run at step 0."""
    run = state(page, "s.run")
    page.select_option("#preset", preset_id)
    wait_state(page, "s.run > arg.run && s.step === 0 && s.layers.length === arg.layers && s.status === 'paused'",
               {"run": run, "layers": layers})


def box(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); "
                                           "return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; }")


# ---- point 9 ----------------------------------------------------------------------------------
def test_a_badge_that_names_no_layer_fades_no_line(page):
    run_steps(page, 20)
    ids = page.eval_on_selector_all("#badges [data-testid^=badge-]", "bs => bs.filter((b) => !b.dataset.layers)"
                                    ".map((b) => b.dataset.testid)")
    assert ids, "every badge names a layer"
    page.click(f"[data-testid={ids[0]}]")
    page.wait_for_function("id => document.querySelector(`[data-testid=${id}]`).getAttribute('aria-pressed') === 'true'",
                           arg=ids[0])
    assert state(page, "s.highlight") is None  # not [], which fades every layer
    # the flow chart as the dashboard draws it with the state's highlight: no line faded
    page.evaluate(f"() => {{ const s = window.backpropLab.getState(); {FLOW}.draw(s.live, s.layers, s.highlight); }}")
    assert page.evaluate(f"() => {FLOW}.chart.spec.lines.map((l) => l.alpha)") == [1, 1, 1]
    assert page.eval_on_selector_all("#layer-legend .legend-item", "items => items.map((i) => i.style.opacity)") == ["1"] * 3


def test_the_flow_map_shows_what_the_panel_shows(page):
    run_steps(page, 20)
    page.locator("#panel-flow").scroll_into_view_if_needed()
    page.select_option("#flow-stat", "signal_norm")
    page.wait_for_function(f"() => {FLOW}.options.stat === 'signal_norm' && window.backpropLab.charts.flowmap.x.length === 20")
    expected = page.evaluate("""() => { const h = window.backpropLab.history();
        return Array.from({length: h.nLayers}, (_, i) => Array.from({length: h.n}, (_, r) => {
            const v = h.layers.signal_norm[r * h.nLayers + i]; return v > 0 && Number.isFinite(v) ? Math.log10(v) : null; })); }""")
    page.wait_for_function("z => JSON.stringify(window.backpropLab.charts.flowmap.z) === JSON.stringify(z)", arg=expected)
    assert any(v is not None for row in expected for v in row)
    assert page.evaluate("() => window.backpropLab.charts.flowmap.stat") == "signal_norm"


# ---- point 10 ---------------------------------------------------------------------------------
def test_badges_naming_many_layers_do_not_move_the_page(page):
    choose_preset(page, "deep-sigmoid", 9)
    before = {name: box(page, selector) for name, selector in (("bar", ".subbar"), ("main", "main.layout"))}
    page.click("[data-action=preset-run]")
    wait_state(page, "s.step === 300 && s.health && s.health.find((b) => b.id === 'update_ratio').status === 'warn'",
               timeout=20_000)
    page.wait_for_function("() => document.querySelector('[data-testid=badge-update_ratio]').dataset.status === 'warn'")
    layers = state(page, "s.health.find((b) => b.id === 'update_ratio').layers")
    assert len(layers) >= 4, layers
    badge = page.locator("[data-testid=badge-update_ratio]")
    assert all(name in badge.text_content() and name in badge.get_attribute("title") for name in layers)
    after = {name: box(page, selector) for name, selector in (("bar", ".subbar"), ("main", "main.layout"))}
    assert after == before


def test_badges_that_do_not_fit_fold_into_one_chip_instead_of_being_cut_short(page):
    choose_preset(page, "deep-sigmoid", 9)
    page.click("[data-action=preset-run]")
    wait_state(page, "s.step === 300 && s.health.filter((b) => b.status === 'warn').length >= 2", timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('#badges .badge[data-status=warn]').length >= 2")
    drawn = page.eval_on_selector_all("#badges [data-testid^=badge-]", """bs => bs.map((b) => ({
        status: b.dataset.status, text: b.textContent, shown: b.offsetWidth > 0, cut: b.scrollWidth > b.clientWidth + 1}))""")
    assert all(b["shown"] for b in drawn if b["status"] == "warn")  # a warning is never folded
    assert not any(b["cut"] for b in drawn if b["shown"] and b["status"] != "warn")  # no "✓ gradi…"
    folded = [b for b in drawn if not b["shown"]]
    assert folded, "the deep-sigmoid bar cannot show six badges whole at 1400 px"
    chip = page.locator("[data-testid=badges-folded]")
    fine = sum(b["status"] == "ok" for b in folded)
    expected = f"✓ {len(folded)} more fine" if fine == len(folded) else f"+{len(folded)} more: {fine} fine"
    assert chip.text_content() == expected
    assert chip.get_attribute("title").split("\n") == [b["text"] for b in folded]
    chip.click()
    page.wait_for_function("() => [...document.querySelectorAll('#badges [data-testid^=badge-]')].every((b) => b.offsetWidth > 0)")
    assert chip.get_attribute("aria-expanded") == "true"


# ---- point 11 ---------------------------------------------------------------------------------
def phases(page, count: int) -> None:
    """Press Phase `count` times, each waiting for its line in the log."""
    for _ in range(count):
        n = page.eval_on_selector_all("#phase-readout > div", "d => d.length")
        page.click("[data-action=phase]")
        page.wait_for_function("n => document.querySelectorAll('#phase-readout > div').length !== n", arg=n)


def test_step_through_heatmaps_have_colour_scales_and_whole_titles(page):
    phases(page, 5)  # forward ×3, loss, backward of dense3
    phases(page, 1)  # backward of dense2: five tensors (da, dz, dW, db, dx)
    page.wait_for_function("() => window.backpropLab.charts.phase.shown.length === 5")
    chart = box(page, "#chart-phase")
    page.wait_for_function("() => document.querySelectorAll('#chart-phase .colorbar').length === 5")
    assert page.evaluate("() => document.querySelector('#chart-phase').data.map((t) => t.showscale)") == [True] * 5
    titles = page.eval_on_selector_all("#chart-phase .annotation", """a => a.map((e) => { const r = e.getBoundingClientRect();
        return {text: e.textContent, left: r.left, right: r.right}; })""")
    assert len(titles) == 5
    for t in titles:
        assert chart["left"] <= t["left"] and t["right"] <= chart["right"], (t, chart)
    assert titles[-1]["text"].startswith("dL/dx")


def test_the_phase_log_numbers_the_pass_as_the_header_counts_steps(page):
    phases(page, 1)
    line = page.inner_text("#phase-readout > div")
    assert line.startswith("step 0 → 1 · forward · dense1"), line
    assert page.inner_text("[data-testid=step]") == "0"
    phases(page, 7)  # ... to the update: the counter reaches the pass's number
    wait_state(page, "s.step === 1")
    page.wait_for_function("() => document.querySelector('[data-testid=step]').textContent === '1'")
    assert page.inner_text("#phase-readout > div:last-child").startswith("step 0 → 1 · update")


def test_flat_ranges_read_with_distinct_ticks_and_ends(page):
    choose_preset(page, "deep-sigmoid", 9)  # at step 0: train and test loss both 0.6931…
    page.wait_for_function("() => window.backpropLab.charts.loss.chart.spec.lines.some((l) => l.name === 'train' && l.x.length === 1)")
    ticks = page.evaluate("() => { const c = window.backpropLab.charts.loss.chart; c.paint(); return c.yTicks(c.shown).map((t) => t[1]); }")
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks), ticks
    run_steps(page, 1)  # the deep layers' activations sit in a narrow range
    page.locator("#chart-hist").scroll_into_view_if_needed()
    page.wait_for_function("() => window.backpropLab.charts.hist.panels.length > 0 && "
                           "window.backpropLab.charts.hist.panels.every((p) => !p.edges.length || p.ends)")
    panels = page.evaluate("() => window.backpropLab.charts.hist.panels.map((p) => ({name: p.name, key: p.key, ends: p.ends, "
                           "lo: p.edges[0], hi: p.edges.at(-1)}))")
    narrow = [p for p in panels if p["hi"] - p["lo"] < 1e-3 * max(abs(p["lo"]), abs(p["hi"]))]
    assert narrow, panels  # the case this checks
    for p in panels:
        assert p["ends"][0] != p["ends"][1], p
        assert math.isclose(float(p["ends"][0]), p["lo"], rel_tol=5e-2, abs_tol=1e-12), p


def test_gradients_of_exactly_zero_are_marked_on_the_log_axis(page):
    choose_preset(page, "dead-relu", 4)
    page.click("[data-action=preset-run]")
    wait_state(page, "s.step === 300 && s.status === 'paused'", timeout=20_000)
    page.locator("#panel-flow").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {FLOW}.chart.zeros.length > 0")
    zeros = page.evaluate(f"() => {FLOW}.chart.zeros.map((l) => ({{name: l.name, first: l.zeros[0]}}))")
    for z in zeros:  # each marked step is one where the layer's ‖dW‖ is exactly 0
        layer = state(page, "s.layers.findIndex((l) => l.name === arg)", z["name"])
        value = state(page, "(() => { const h = s.live; const r = Array.from(h.step.subarray(0, h.n)).indexOf(arg.step); "
                            "return h.layers.grad_norm[r * h.nLayers + arg.layer]; })()", {"step": z["first"], "layer": layer})
        assert value == 0, z


def test_a_link_click_keeps_the_diagram_in_view_and_its_chain_rule_is_one_click_away(page):
    phases(page, 8)  # a whole step by phases: the heatmaps and the log push the explanation down
    wait_state(page, "s.step === 1")
    page.evaluate("() => window.scrollTo(0, 0)")
    click_link(page, [1, 0, 0])
    page.wait_for_function("() => document.querySelector('#explain').dataset.terms !== undefined")
    page.wait_for_selector("[data-testid=weight-editor]", state="visible")
    assert page.evaluate("() => scrollY") == 0  # the diagram and its editor stay where the person looks
    page.click("[data-testid=weight-chain-rule]")
    page.wait_for_function("() => { const r = document.querySelector('#explain').getBoundingClientRect();"  # below the sticky header
                           " return r.top >= document.querySelector('header').getBoundingClientRect().bottom && r.top < innerHeight - 40; }")


def test_the_summarized_note_sits_on_top_of_the_network_view(page):
    choose_preset(page, "dead-relu", 4)  # 16-unit layers: 11 drawn of each
    page.wait_for_function("() => document.querySelector('[data-testid=network-summary]').textContent.includes('16 units')")
    note, chart = box(page, "[data-testid=network-summary]"), box(page, "#chart-network")
    assert note["bottom"] <= chart["top"], (note, chart)
    assert page.eval_on_selector("[data-testid=network-summary]", "e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
