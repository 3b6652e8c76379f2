"""Issue 17, points 2, 6 and 7, in a real browser: every heatmap and the output plane have a colour
bar with numbers, and the layer charts' colours are not the signs' (2); the smoothing control
changes the drawn line and not the data (6); the badges and messages speak a student's words (7)."""
import json
import re

import numpy as np
import pytest

from engine.health_words import WORDS
from labpage import export_trace, run_steps, state, wait_network_drawn, wait_state

OUTPUT = "window.backpropLab.charts.output"
PHASE = "window.backpropLab.charts.phase"
NEGATIVE, POSITIVE = (230, 159, 0), (0, 114, 178)  # the diverging palette's ends
NUMBER = re.compile(r"[≤≥]? ?[−-]?\d+(\.\d+)?(e[−-]?\d+)?")


def configure(page, partial: dict) -> None:
    """Configure `partial` and wait for the new run it starts, at step 0."""
    run = state(page, "s.run")
    page.evaluate("c => window.backpropLab.transport.configure(c)", partial)
    wait_state(page, "s.run > arg && s.step === 0 && s.status === 'paused'", run)


def pixel(page, chart: str, x: float, y: float) -> tuple:
    """The colour of a chart's canvas at (x, y) CSS px, as (r, g, b)."""
    return tuple(page.evaluate("""([chart, x, y]) => { const c = eval(chart).canvas; const r = devicePixelRatio || 1;
        return Array.from(c.getContext('2d').getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data.slice(0, 3)); }""",
                               [chart, x, y]))


def on_white(rgb, opacity=0.75) -> tuple:
    return tuple(round(255 + (c - 255) * opacity) for c in rgb)


# ---- point 2: colour bars with numbers, and one meaning per colour ---------------------------------
@pytest.mark.parametrize("partial, label, ticks", [
    ({}, "P(class 1)", ["0", "0.25", "0.5", "0.75", "1"]),
    ({"dataset": {"name": "blobs", "n_classes": 3}, "training": {"loss": "cross_entropy"}}, "class", ["0", "1", "2"]),
    ({"dataset": {"name": "plane"}, "training": {"loss": "mse"}}, "output value", ["≤ −1", "−0.5", "0", "0.5", "≥ 1"]),
])
def test_the_output_plane_has_a_colour_bar_with_numbers(page, partial, label, ticks):
    if partial:
        configure(page, partial)
    run_steps(page, 5)
    page.wait_for_function(f"() => {OUTPUT}.colorBar && {OUTPUT}.colorBar.label === '{label}' && {OUTPUT}.drawn.values")
    bar = state(page, f"{OUTPUT}.colorBar")
    assert bar["ticks"] == ticks
    box = bar["box"]
    top, bottom = (pixel(page, OUTPUT, box["x"] + box["w"] / 2, y) for y in (box["y"] + 2, box["y"] + box["h"] - 2))
    if label == "class":  # one block per class, class 0 at the bottom
        assert np.allclose(bottom, on_white(NEGATIVE), atol=3) and not np.allclose(top, bottom, atol=10)
    else:  # the diverging ends, as the plane shows them (at its opacity on white)
        assert np.allclose(top, on_white(POSITIVE), atol=8) and np.allclose(bottom, on_white(NEGATIVE), atol=8)


def test_every_step_through_heatmap_has_a_colour_bar_with_numbers(page):
    run_steps(page, 2)
    for k in range(1, 5):  # forward, forward, forward, loss
        page.click("[data-action=phase]")
        page.wait_for_function("n => document.querySelectorAll('#phase-readout > div').length === n", arg=k)
        shown = state(page, f"{PHASE}.shown")
        page.wait_for_function("n => document.querySelectorAll('#chart-phase .colorbar').length === n", arg=len(shown))
        bars = page.eval_on_selector_all("#chart-phase .colorbar", "bs => bs.map((b) => Array.from("
                                         "b.querySelectorAll('.cbaxis text, text.ytick, .ytick text')).map((t) => t.textContent))")
        assert len(bars) == len(shown) >= 1
        for texts in bars:  # −s, 0 and s: numbers, symmetric about 0
            assert len(texts) == 3 and all(NUMBER.fullmatch(t) for t in texts), texts
            low, zero, high = (float(t.replace("−", "-")) for t in texts)
            assert zero == 0 and low == -high and high > 0, texts


def test_the_flow_map_has_a_colour_bar_with_numbers(page):
    run_steps(page, 20)
    page.locator("#panel-flow").scroll_into_view_if_needed()
    page.wait_for_function("() => window.backpropLab.charts.flowmap.colorBar && window.backpropLab.charts.flowmap.x.length === 20")
    bar = state(page, "window.backpropLab.charts.flowmap.colorBar")
    assert bar["label"] == "log₁₀‖dW‖" and len(bar["ticks"]) >= 2
    values = [float(t.replace("−", "-")) for t in bar["ticks"]]
    z = [v for row in state(page, "window.backpropLab.charts.flowmap.z") for v in row if v is not None]
    assert min(z) <= values[0] < values[-1] <= max(z)  # round log norms within the map's range


def test_the_network_panel_has_one_colour_key_with_the_numbers_of_its_maps_and_neurons(page):
    run_steps(page, 10)
    wait_network_drawn(page)  # the key is written with the drawing: read it once the latest detail is drawn
    # ... with the maps the state holds (a heavy frame can land between the two reads)
    page.wait_for_function("""() => { const maps = window.backpropLab.getState().maps;
        if (!maps || document.querySelectorAll('#network-key .key-ticks').length !== 3) return false;
        return window.backpropLab.charts.network.mapSource === maps; }""")
    rows = page.eval_on_selector_all("#network-key .key-ticks", "rs => rs.map((r) => [...r.children].map((c) => c.textContent)"
                                     ".concat(r.nextElementSibling.textContent))")
    largest = page.evaluate("""async () => { const { decode } = await import('/js/packed.js');
        return window.backpropLab.charts.network.mapSource.maps.map((m) => Math.max(...Array.from(decode(m).values, Math.abs))); }""")
    maps_scale = sorted(largest)[(len(largest) - 1) // 2]  # the median map's largest |a|: beyond it, the end colours
    neuron_scale = state(page, "window.backpropLab.charts.network.scene.scale")
    assert rows[0][3] == "neuron maps: a over the plane, one scale for every map"
    assert rows[0][2].startswith("≥ ") and rows[0][0] == "≤ −" + rows[0][2][2:]  # the minus sign
    assert float(rows[0][2][2:]) == pytest.approx(maps_scale, rel=5e-3)
    assert rows[1][3] == "neurons: mean a over the batch"
    assert float(rows[1][2]) == pytest.approx(neuron_scale, rel=5e-3) and rows[1][1] == "0"
    assert rows[2] == ["< 0", "", "> 0", "links: the sign of W"]
    strip = page.eval_on_selector("#network-key .key-strip", "e => getComputedStyle(e).backgroundImage")
    assert strip.startswith("linear-gradient(to right, rgb(230, 159, 0) 0%") and strip.endswith("rgb(0, 114, 178) 100%)")


def test_layer_colours_run_light_to_dark_and_are_never_the_sign_colours(page):
    configure(page, {"network": {"hidden": [{"units": 4, "activation": "tanh"}] * 5}})
    page.wait_for_function("() => document.querySelectorAll('#layer-legend .legend-item').length === 6")
    swatches = page.eval_on_selector_all("#layer-legend .legend-item", "items => items.map((i) => i.style.getPropertyValue('--swatch'))")
    rgbs = [tuple(int(c) for c in re.findall(r"\d+", s)) for s in swatches]
    lightness = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in rgbs]
    assert lightness == sorted(lightness, reverse=True) and lightness[0] - lightness[-1] > 100  # input side light
    assert all(min(np.abs(np.subtract(c, end)).sum() for end in (NEGATIVE, POSITIVE)) > 120 for c in rgbs)


# ---- point 6: smoothing changes the drawing, not the data ------------------------------------------
def ema(values, weight):
    """TensorBoard's debiased exponential moving average."""
    out, last, k = [], 0.0, 0
    for v in values:
        last = weight * last + (1 - weight) * v
        k += 1
        out.append(last / (1 - weight ** k))
    return out


def drawn(page, chart: str) -> dict:
    """A LineChart's painted lines by name: {name: {x, y, raw, smoothed}}."""
    return {line["name"]: line for line in page.evaluate(f"""() => {chart}.painted.map((l) => ({{name: l.name, x: l.x, y: l.y,
        raw: Boolean(l.raw), smoothed: Boolean(l.smoothed)}}))""")}


def test_the_smoothing_control_changes_the_drawn_line_and_not_the_data(page, tmp_path):
    steps = run_steps(page, 60)
    loss = "window.backpropLab.charts.loss.chart"
    page.wait_for_function(f"n => {loss}.painted.some((l) => l.smoothed && l.x.length === n)", arg=steps)
    data = state(page, "Array.from(window.backpropLab.history().series('loss').y)")
    assert state(page, "s.smoothing") == 0.6  # TensorBoard's default
    lines = drawn(page, loss)
    assert lines["minibatch (raw)"]["raw"] and lines["minibatch (raw)"]["y"] == pytest.approx(data)
    assert lines["minibatch"]["smoothed"] and lines["minibatch"]["y"] == pytest.approx(ema(data, 0.6), rel=1e-9)
    before, _ = export_trace(page, tmp_path / "a")

    page.fill("[data-testid=smoothing-loss]", "0.9")
    page.wait_for_function(f"() => {loss}.painted.some((l) => l.smoothed) && window.backpropLab.getState().smoothing === 0.9")
    page.wait_for_function(f"y => Math.abs({loss}.painted.find((l) => l.smoothed).y[5] - y) < 1e-12", arg=ema(data, 0.9)[5])
    assert drawn(page, loss)["minibatch"]["y"] == pytest.approx(ema(data, 0.9), rel=1e-9)  # the drawn line changed
    assert drawn(page, loss)["minibatch"]["y"] != pytest.approx(ema(data, 0.6), rel=1e-6)
    assert state(page, "Array.from(window.backpropLab.history().series('loss').y)") == data  # the data did not
    assert state(page, f"Array.from({loss}.spec.lines[0].y)") == data
    assert page.input_value("[data-testid=smoothing-flow]") == "0.9"  # one weight, shown by each slider
    assert page.inner_text("[data-testid=smoothing-flow] + output") == "0.90"
    after, _ = export_trace(page, tmp_path / "b")
    assert json.loads(after.read_text()) == json.loads(before.read_text())

    for chart, name, series in [  # the other smoothed charts follow the same weight
        ("flow", "dense1", "Array.from(window.backpropLab.history().layerSeries('grad_norm', 0).y)"),
        ("ratio", "dense2", "Array.from(window.backpropLab.history().layerSeries('update_ratio', 1).y)"),
        ("clip", "before clipping", "Array.from(window.backpropLab.history().series('clip_norm_before').y)")]:
        page.locator(f"#panel-{chart}").scroll_into_view_if_needed()
        target = f"window.backpropLab.charts.{chart}.chart"
        expected = ema(state(page, series), 0.9)
        # a chart on the first screen was drawn at the old weight already: wait for its redraw at 0.9
        page.wait_for_function(f"""([n, second]) => {{ const l = {target}.painted.find((p) => p.name === '{name}');
            return l && l.smoothed && l.x.length === n && Math.abs(l.y[1] - second) <= 1e-9 * Math.abs(second); }}""",
                               arg=[steps, expected[1]])
        assert drawn(page, target)[name]["y"] == pytest.approx(expected, rel=1e-9), chart

    page.fill("[data-testid=smoothing-flow]", "0")  # 0: the raw lines alone, as before smoothing
    page.wait_for_function(f"() => !{loss}.painted.some((l) => l.raw || l.smoothed)")
    assert drawn(page, loss)["minibatch"]["y"] == pytest.approx(data)


# ---- point 7: words a student understands -----------------------------------------------------------
def badge_texts(page) -> dict:
    return dict(page.eval_on_selector_all("#badges [data-testid^=badge-]", "bs => bs.map((b) => [b.dataset.testid.slice(6), b.textContent])"))


def run_preset(page, catalog, preset_id: str) -> dict:
    preset = next(p for p in catalog["presets"] if p["id"] == preset_id)
    configure(page, preset["full_config"])
    target = state(page, "s.step") + preset["steps"]
    page.evaluate("n => window.backpropLab.transport.step(n)", preset["steps"])
    wait_state(page, "s.step === arg && s.status === 'paused'", target, timeout=60_000)  # a deep net's 300 steps on a busy machine
    wait_state(page, "s.health && s.health.every((b) => b.status !== 'unknown' || b.id === 'dead' || b.id === 'saturated')")
    page.wait_for_function("() => !document.querySelector('#badges').textContent.includes('no steps yet')")
    return preset


def test_badges_on_a_healthy_run_read_as_healthy(page, catalog):
    run_preset(page, catalog, "deep-relu-he")
    texts = badge_texts(page)
    assert texts["vanishing"] == "✓ gradients flow"
    assert texts["exploding"] == "✓ gradients steady"
    assert texts["diverged"] == "✓ all values finite"
    assert texts["saturated"] == "· saturation: no tanh or sigmoid layer"
    labels = [rule["label"] for rule in catalog["health_rules"].values()]
    assert not any(label in text for text in texts.values() for label in labels)  # no bare condition name


def test_a_warning_badge_names_the_layer_and_what_to_try(page, catalog):
    run_preset(page, catalog, "deep-sigmoid")
    health = {b["id"]: b for b in state(page, "s.health")}
    assert health["vanishing"]["status"] == "warn"
    first = health["vanishing"]["layers"][0]
    assert badge_texts(page)["vanishing"] == f"⚠ gradients vanish: {WORDS['vanishing']['hint']} (on the way to {first})"
    title = page.get_attribute("[data-testid=badge-vanishing]", "title")
    assert title.startswith("Vanishing gradients: found") and f"try: {health['vanishing']['try']}" in title


def test_messages_speak_of_what_changed_not_of_field_paths(page):
    run = state(page, "s.run")
    page.evaluate("() => window.backpropLab.transport.configure({dataset: {name: 'circle'}, network: {init: 'he_normal'}})")
    wait_state(page, "s.run > arg", run)
    rebuilt = page.locator("[data-testid=toast]", has_text="Rebuilt").last
    rebuilt.wait_for()
    assert rebuilt.inner_text() == "Rebuilt the network: new dataset and init; a new run from step 0"
    page.evaluate("() => window.backpropLab.transport.configure({training: {learning_rate: -1}})")
    refused = page.locator("[data-testid=toast].error").last
    refused.wait_for()
    assert refused.inner_text().startswith("Learning rate: must be")
    assert "training." not in refused.inner_text()
