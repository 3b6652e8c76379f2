"""The network diagram as a place to read and edit the net (issue 17, points 3, 4 and 5): link
widths that mean something, neurons and inputs shown as maps, edits made on the diagram itself."""
import json
import math
import re

import pytest
from labpage import click_link, export_trace, hash_config, run_steps, state, wait_network_drawn, wait_state

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


# ---- point 5: edit where you look ---------------------------------------------------------------
def diagram_columns(page) -> list:
    """The drawn columns' labels, inputs first."""
    return page.evaluate(f"() => {SCENE}.columns.map((c) => c.label)")


def test_layers_and_neurons_added_and_removed_on_the_diagram_rebuild_the_net(page, catalog):
    hidden = catalog["defaults"]["network"]["hidden"]
    run_steps(page, 3)
    wait_network_drawn(page)
    count = page.locator("[data-testid=diagram-layer-count]")
    assert count.inner_text() == f"{len(hidden)} hidden layers"
    run = state(page, "s.run")

    page.click("[data-testid=diagram-bar] [data-action=diagram-add-layer]")
    grown = hidden + [hidden[-1]]
    wait_state(page, "s.run === arg.run + 1 && s.step === 0 && s.layers.length === arg.n",
               {"run": run, "n": len(grown) + 1})
    assert state(page, "s.config.network.hidden") == grown
    wait_network_drawn(page)
    assert diagram_columns(page) == ["inputs"] + [f"dense{k + 1}" for k in range(len(grown) + 1)]
    assert count.inner_text() == f"{len(grown)} hidden layers"

    # one neuron more over the new layer's column: its − / + sit over that column
    group = page.locator(f".diagram-neurons[data-layer='{len(grown) - 1}']")
    x = page.evaluate(f"""k => {{ const c = window.backpropLab.charts.network;
        const t = c.transform(c.element.clientWidth, c.element.clientHeight); return t.X({SCENE}.xOf[k]); }}""", len(grown))
    bar, box = page.locator("#diagram-bar").bounding_box(), group.bounding_box()
    assert abs(box["x"] + box["width"] / 2 - bar["x"] - x) < 1
    group.locator("[data-action=diagram-add-neuron]").click()
    wider = grown[:-1] + [{**grown[-1], "units": grown[-1]["units"] + 1}]
    wait_state(page, "JSON.stringify(s.config.network.hidden) === JSON.stringify(arg)", wider)
    wait_state(page, "s.layers[arg.k].fan_out === arg.units", {"k": len(wider) - 1, "units": wider[-1]["units"]})
    page.locator(".diagram-neurons[data-layer='0'] [data-action=diagram-remove-neuron]").click()
    narrower = [{**wider[0], "units": wider[0]["units"] - 1}] + wider[1:]
    wait_state(page, "JSON.stringify(s.config.network.hidden) === JSON.stringify(arg)", narrower)
    wait_state(page, "s.layers[0].fan_out === arg", narrower[0]["units"])

    page.click("[data-testid=diagram-bar] [data-action=diagram-remove-layer]")
    wait_state(page, "s.layers.length === arg", len(narrower))
    assert state(page, "s.config.network.hidden") == narrower[:-1]
    assert count.inner_text() == f"{len(narrower) - 1} hidden layers"


def frame_weight(page, layer: int, row: int, column: int) -> float:
    """W[row, column] of entry `layer` in the state's detail, as the page decodes it."""
    return page.evaluate("""async ([i, r, c]) => { const { decode } = await import('/js/packed.js');
        const d = decode(window.backpropLab.getState().detail.layers[i].weights.values);
        return d.values[r * d.shape[1] + c]; }""", [layer, row, column])


def test_a_weight_set_on_the_diagram_is_in_the_next_frame_and_the_traces_events(page, tmp_path):
    steps = run_steps(page, 4)
    wait_network_drawn(page)
    cd = [1, 2, 0]  # dense2 W[2, 0]
    before = frame_weight(page, *cd)
    click_link(page, cd)
    editor = page.locator("[data-testid=weight-editor]")
    editor.wait_for(state="visible")
    assert editor.locator("label").inner_text() == "Set dense2 W[2, 0] ="
    assert float(page.input_value("#weight-value")) == pytest.approx(before, rel=1e-5)
    page.wait_for_function("() => document.querySelector('#explain').textContent.startsWith('dense2.W[2, 0]')")

    page.fill("#weight-value", "1e999")  # not a finite number: refused on the page, nothing sent
    page.keyboard.press("Enter")
    assert page.inner_text("[data-testid=weight-note]") == "needs a finite number (got “1e999”)"

    page.fill("#weight-value", "-1.375")
    page.keyboard.press("Enter")
    editor.wait_for(state="hidden")
    wait_state(page, "s.detail.step === arg", steps)
    page.wait_for_function(f"() => {SCENE}.links.some((l) => l.cd.join() === '1,2,0' && l.value === -1.375)")
    assert frame_weight(page, *cd) == -1.375
    toast = page.locator("[data-testid=toast]", has_text="Set dense2 W[2, 0]")
    assert toast.inner_text() == f"Set dense2 W[2, 0] to -1.375 at step {steps}: a live edit, kept in the trace's events"

    run_steps(page, 2)  # training goes on from the edited weight
    path, _ = export_trace(page, tmp_path)
    trace = json.loads(path.read_text())
    assert trace["events"] == [{"step": steps, "set_param": {"layer": 1, "param": "W", "index": [2, 0], "value": -1.375}}]


def test_a_trace_on_view_offers_no_edit_on_its_links(page, tmp_path):
    run_steps(page, 6)
    path, _ = export_trace(page, tmp_path)
    page.set_input_files("#import-file", str(path))
    wait_state(page, "s.replay !== null")
    wait_state(page, "s.replay.index === s.replay.snapshots.length - 1 && window.backpropLab.charts.network.detail"
                     "?.step === s.replay.snapshots[s.replay.index].step")  # the view draws the trace's last snapshot
    assert state(page, "window.backpropLab.charts.network.readOnly") is True
    click_link(page, [1, 0, 0])
    tip = page.inner_text("#chart-network .chart-tip")
    assert tip.startswith("dense2 W[0, 0]") and "click" not in tip  # not "click: explain, or set its value"
    assert page.is_hidden("[data-testid=weight-editor]")
    page.click("#replay-close")
    wait_state(page, "s.replay === null")
    assert state(page, "window.backpropLab.charts.network.readOnly") is False


def test_a_value_the_server_refuses_is_named_beside_the_weight(page):
    page.evaluate("() => window.backpropLab.transport.configure({training: {dtype: 'float32'}})")
    wait_state(page, "s.config.training.dtype === 'float32' && s.run > 1")
    wait_network_drawn(page)
    click_link(page, [0, 1, 3])
    page.fill("#weight-value", "1e39")
    page.keyboard.press("Enter")
    note = page.locator("[data-testid=weight-note]")
    page.wait_for_function("() => document.querySelector('[data-testid=weight-note]').textContent.includes('overflows')")
    assert note.inner_text() == "set_param: 1e+39 overflows float32, the run's precision"
    assert page.locator("[data-testid=weight-editor]").is_visible()
    assert state(page, "s.step") == 0


# ---- point 3: neurons and inputs you can read ---------------------------------------------------
def neuron_point(page, predicate: str) -> dict:
    """The page coordinates of the first scene neuron `n` for which `predicate` (JS) holds."""
    return page.evaluate(f"""() => {{ const c = window.backpropLab.charts.network;
        const t = c.transform(c.element.clientWidth, c.element.clientHeight); const box = c.element.getBoundingClientRect();
        const n = {SCENE}.neurons.find((n) => {predicate});
        return {{x: box.left + t.X(n.x), y: box.top + t.Y(n.y)}}; }}""")


PREVIEW = "window.backpropLab.charts.output.previewed"


def test_hovering_a_neuron_shows_its_map_in_the_output_panel_until_the_pointer_leaves(page, catalog):
    run_steps(page, 30)
    wait_network_drawn(page)
    hidden = page.evaluate("""async () => { const { decode } = await import('/js/packed.js');
        const maps = window.backpropLab.getState().maps; const u = maps.units.findIndex(([k, j]) => k === 0 && j === 2);
        return Array.from(decode(maps.maps[u]).values); }""")
    point = neuron_point(page, "n.column === 1 && n.unit === 2")
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(f"() => {PREVIEW}?.title === 'dense1 unit 2'")
    shown = page.evaluate(f"() => ({{values: Array.from({PREVIEW}.values), n: {PREVIEW}.n, m: {PREVIEW}.m, scale: {PREVIEW}.scale}})")
    assert (shown["n"], shown["m"]) == (catalog["plane"]["map_grid"],) * 2
    assert shown["values"] == hidden  # the frame's map of that unit, as sent
    assert shown["scale"] == max(abs(v) for v in hidden)

    inputs = [f["name"] for f in catalog["choices"]["features"]]
    point = neuron_point(page, "n.feature && n.feature.name === 'x1_sq'")  # an input's map, on or off
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(f"() => {PREVIEW}?.title === 'input x₁²'")
    values = page.evaluate(f"() => Array.from({PREVIEW}.values)")
    n, (low, high) = catalog["plane"]["map_grid"], catalog["plane"]["extent"]
    assert values[0] == pytest.approx(low ** 2) and values[n - 1] == pytest.approx(high ** 2)  # row 0: the lowest y
    assert values == [v for row in catalog["plane"]["feature_maps"]["x1_sq"] for v in row]
    assert len(inputs) == 7 and page.evaluate(f"() => {SCENE}.neurons.filter((n) => n.feature).length") == 7

    page.mouse.move(2, 2)  # off the diagram: the model's output again
    page.wait_for_function(f"() => {PREVIEW} === null")
    assert page.evaluate("() => window.backpropLab.charts.output.previewImage") is None


def test_clicking_an_input_feeds_it_to_the_net_or_takes_it_out(page, catalog):
    defaults = catalog["defaults"]["dataset"]["features"]
    assert defaults == ["x1", "x2"]
    run = state(page, "s.run")
    wait_network_drawn(page)
    point = neuron_point(page, "n.feature && n.feature.name === 'sin_x2'")
    page.mouse.click(point["x"], point["y"])
    wait_state(page, "s.run === arg + 1 && s.layers[0].fan_in === 3", run)
    assert state(page, "s.config.dataset.features") == ["x1", "x2", "sin_x2"]
    assert page.is_checked("[data-feature=sin_x2]")  # the Features checkboxes follow
    assert hash_config(page.url)["dataset"]["features"] == ["x1", "x2", "sin_x2"]
    wait_network_drawn(page)
    rows = page.evaluate(f"() => {SCENE}.links.filter((l) => l.cd[0] === 0).map((l) => [l.cd[1], l.y0])")
    ys = page.evaluate(f"() => Object.fromEntries({SCENE}.neurons.filter((n) => n.feature).map((n) => [n.feature.name, n.y]))")
    assert {r: y for r, y in rows} == {0: ys["x1"], 1: ys["x2"], 2: ys["sin_x2"]}  # each W row from its feature

    for name in ("x1", "sin_x2"):  # take two out: x2 alone is fed
        point = neuron_point(page, f"n.feature && n.feature.name === '{name}'")
        page.mouse.click(point["x"], point["y"])
        wait_state(page, "!s.config.dataset.features.includes(arg)", name)
        wait_network_drawn(page)
    assert state(page, "s.config.dataset.features") == ["x2"]
    wait_state(page, "s.layers[0].fan_in === 1")  # the last rebuild has come back: its run is counted
    run = state(page, "s.run")
    point = neuron_point(page, "n.feature && n.feature.name === 'x2'")
    page.mouse.click(point["x"], point["y"])  # the last input stays
    page.locator("[data-testid=toast]", has_text="x₂ is the only input").wait_for()
    assert state(page, "s.config.dataset.features") == ["x2"] and state(page, "s.run") == run
