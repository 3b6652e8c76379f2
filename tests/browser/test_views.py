"""What the views draw, checked against the frames and against the engine re-run in Python: the
network view's three link modes, the gradient-flow panel (and vanishing vs healthy gradients),
the step-through's tensors and highlight, and the explain readout, by message and by a real click."""
import base64
import json
import re
from urllib.parse import quote

import numpy as np
import pytest

from engine import LAYER_STATS, Trainer
from engine.config import merge
from labpage import open_page, run_steps, state, wait_state

FLOW = "window.backpropLab.charts.flow"
LABELS = {"weights": "W", "grads": "dL/dW", "updates": "ΔW"}
# Configs to fall back on when the catalog lacks these presets: a deep sigmoid net, and ReLU + He.
FALLBACK_PRESETS = {
    "deep-sigmoid": {"dataset": {"name": "circle"}, "network": {
        "hidden": [{"units": 8, "activation": "sigmoid"}] * 8, "init": "uniform"}, "training": {"learning_rate": 0.3}},
    "deep-relu-he": {"dataset": {"name": "circle"}, "network": {
        "hidden": [{"units": 8, "activation": "relu"}] * 8, "init": "he_normal"}, "training": {"learning_rate": 0.03}},
}


# ---- helpers ------------------------------------------------------------------------------------
def unpack(packed: dict) -> np.ndarray:
    """A packed array of a frame ({dtype, shape, b64}) as NumPy."""
    assert packed["dtype"] in ("float32", "float64"), packed["dtype"]
    return np.frombuffer(base64.b64decode(packed["b64"]), dtype=packed["dtype"]).reshape(packed["shape"])


def replay(config: dict, steps: int) -> tuple:
    """The engine re-run in Python: (trainer after `steps` steps, grad_norm per step (steps, n_layers))."""
    trainer = Trainer(config)
    column = LAYER_STATS.index("grad_norm")
    norms = []
    for _ in range(steps):
        record = trainer.step()
        assert record.applied
        norms.append(record.layers[:, column].copy())
    return trainer, np.array(norms)


def open_with_config(context, base_url, page_log, partial: dict):
    """A page opened at `#config=<partial>`, once the rebuilt run's step-0 frame is in."""
    page = open_page(context, base_url + "#config=" + quote(json.dumps(partial)), page_log)
    hidden = partial["network"]["hidden"]
    wait_state(page, "JSON.stringify(s.config.network.hidden) === JSON.stringify(arg.hidden) "
                     "&& s.layers.length === arg.n && s.step === 0 && s.status === 'paused'",
               {"hidden": hidden, "n": len(hidden) + 1})
    return page


def preset_config(catalog, preset_id: str) -> dict:
    """A preset's partial config from the catalog, or its fallback when the catalog lacks it."""
    preset = next((p for p in catalog["presets"] if p["id"] == preset_id), None)
    return preset["config"] if preset else FALLBACK_PRESETS[preset_id]


def wait_new_run(page, run: int, partial: dict) -> dict:
    """Wait for the run after `run`, set up from `partial`; returns the full config in force."""
    hidden = partial["network"]["hidden"]
    wait_state(page, "s.run > arg.run && s.step === 0 && s.layers.length === arg.n "
                     "&& JSON.stringify(s.config.network.hidden) === JSON.stringify(arg.hidden)",
               {"run": run, "n": len(hidden) + 1, "hidden": hidden})
    return state(page, "s.config")


def load_preset(page, catalog, preset_id: str) -> dict:
    """Set the page up as the preset does (the whole setup: defaults + the preset's config), as
    `transport.configure` (tests/browser/test_presets.py tests the menu); returns the config in force."""
    run = state(page, "s.run")
    partial = preset_config(catalog, preset_id)
    page.evaluate("c => window.backpropLab.transport.configure(c)", merge(catalog["defaults"], partial))
    return wait_new_run(page, run, partial)


def flow_series(page, steps: int) -> list:
    """Scroll the gradient-flow panel into view and wait until it drew `steps` steps of every
    layer; returns charts.flow.series."""
    page.locator("#panel-flow").scroll_into_view_if_needed()
    page.wait_for_function(f"""n => {{ const f = {FLOW}; const s = window.backpropLab.getState();
        const h = window.backpropLab.history(); const g = h.layers.grad_norm;
        return h.n === n && f.series.length === s.layers.length && f.series.every((x, k) => x.y.length === n
            && x.x[n - 1] === s.step && x.y[0] === g[k] && x.y[n - 1] === g[(n - 1) * h.nLayers + k]); }}""",
                           arg=steps)  # drawn from this run's history, not a previous run's
    return page.evaluate(f"() => {FLOW}.series.map((x) => ({{...x, x: Array.from(x.x), y: Array.from(x.y)}}))")


def links(page) -> list:
    """The network view's drawn links: [{cd: [layer, row, column], text, x, y}]."""
    return page.evaluate("""() => window.backpropLab.charts.network.scene.links.map(
        (l) => ({cd: l.cd, text: l.text, x: l.x, y: l.y}))""")


def parse_link(text: str) -> tuple:
    """'dense1 W[0, 2]\\ndL/dW = -1.234e-5' -> ('dense1', 0, 2, 'dL/dW', -1.234e-5)."""
    m = re.fullmatch(r"(\S+) W\[(\d+), (\d+)\]\n(.+) = (\S+)", text)
    assert m, text
    return m[1], int(m[2]), int(m[3]), m[4], float(m[5])


def link_pixels(page) -> list:
    """Where each link's marked point is on the screen: [{cd, px, py}]."""
    return page.evaluate("""() => { const chart = window.backpropLab.charts.network;
        const box = chart.canvas.getBoundingClientRect();
        const t = chart.transform(chart.element.clientWidth, chart.element.clientHeight);
        return chart.scene.links.map((l) => ({cd: l.cd, px: box.left + t.X(l.x), py: box.top + t.Y(l.y)})); }""")


def wait_network_frame(page) -> None:
    """Wait until the network view drew the frame in the state (its neurons show the means)."""
    page.wait_for_function("""() => { const s = window.backpropLab.getState();
        const scene = window.backpropLab.charts.network.scene; const act = s.detail.layers[0].neuron_act;
        return Boolean(scene && act && scene.neurons.some((n) => n.text === `dense1 unit 0\\nmean a = ${act[0].toPrecision(4)}`)); }""")


def click_link(page, cd: list) -> None:
    """Hover the marked point of link `cd` ([layer, row, column]) until the view hovers that link
    and its tooltip names it, then click it, as a person does. Its position is read afresh:
    filling #explain can add a scrollbar, and the view resizes."""
    page.locator("#chart-network").scroll_into_view_if_needed()
    point = next(p for p in link_pixels(page) if p["cd"] == cd)
    page.mouse.move(point["px"], point["py"])
    page.wait_for_function("""cd => { const h = window.backpropLab.charts.network.hovered;
        return Boolean(h && JSON.stringify(h.cd) === JSON.stringify(cd)); }""", arg=cd)
    name = state(page, "s.layers[arg].name", cd[0])
    assert page.inner_text("#chart-network .chart-tip").startswith(f"{name} W[{cd[1]}, {cd[2]}]\n")
    page.mouse.click(point["px"], point["py"])


def clear_explain(page) -> None:
    page.eval_on_selector("#explain", "e => { e.replaceChildren(); delete e.dataset.terms; }")


def read_explain(page) -> dict:
    """Wait for #explain to fill; returns {name, row, column, terms, mean_text, grad_text}."""
    page.wait_for_function("() => document.querySelector('#explain').dataset.terms !== undefined")
    head = page.inner_text("#explain b")
    m = re.fullmatch(r"(\S+)\.W\[(\d+), (\d+)\]", head)
    assert m, head
    return {"name": m[1], "row": int(m[2]), "column": int(m[3]),
            "terms": json.loads(page.get_attribute("#explain", "data-terms")),
            "mean_text": page.inner_text("[data-testid=explain-mean]"),
            "grad_text": page.inner_text("[data-testid=explain-grad]")}


def check_explain(e: dict, trainer, batch_size: int) -> None:
    """The per-example terms' mean is the engine's dW entry (float64, 1e-9); the readout says so."""
    engine_grad = float(trainer.net.store.grads[f"{e['name']}.W"][e["row"], e["column"]])
    assert len(e["terms"]) == batch_size
    mean = sum(e["terms"]) / batch_size
    assert mean == pytest.approx(engine_grad, rel=1e-9, abs=1e-300), (e["name"], e["row"], e["column"])
    assert engine_grad != 0  # a zero would make the check empty
    assert float(e["mean_text"]) == pytest.approx(mean, rel=1e-5)  # written to 6 significant digits
    assert float(e["grad_text"]) == pytest.approx(engine_grad, rel=1e-5)


# ---- 1. the network view's link modes ---------------------------------------------------------
def test_network_mode_switches_what_the_links_show(page):
    steps = run_steps(page, 5)
    config, layers = state(page, "s.config"), state(page, "s.layers")
    page.evaluate("async () => { window.__packed = await import('/js/packed.js'); }")  # the page's own decoder
    trainer, _ = replay(config, steps)
    engine = {  # what the frame's detail should hold, from the engine re-run
        "weights": trainer.net.store.params,
        "grads": trainer.net.store.grads,
        "updates": trainer.net.store.views(trainer.last_update),
    }
    detail = state(page, "s.detail")
    assert detail["step"] == steps
    shown = {}
    for mode in ("weights", "grads", "updates"):
        page.select_option("#network-mode", mode)
        # every link's hover text shows this mode's value of the frame's detail tensor
        page.wait_for_function("""mode => { const s = window.backpropLab.getState();
            const label = {weights: 'W', grads: 'dL/dW', updates: 'ΔW'}[mode];
            const scene = window.backpropLab.charts.network.scene;
            return Boolean(scene) && scene.links.every(({cd: [i, r, c], text}) => {
                const d = window.__packed.decode(s.detail.layers[i][mode].values);
                return text.endsWith(`${label} = ${d.values[r * d.shape[1] + c].toPrecision(4)}`); }); }""",
                               arg=mode)
        drawn = links(page)
        expected_links = [[i, r, c] for i, l in enumerate(layers) for r in range(l["fan_in"]) for c in range(l["fan_out"])]
        assert [d["cd"] for d in drawn] == expected_links  # every weight of the small net, once
        values = []
        for d in drawn:
            i, r, c = d["cd"]
            name, row, column, label, value = parse_link(d["text"])
            assert (name, row, column, label) == (layers[i]["name"], r, c, LABELS[mode])
            tensor = unpack(detail["layers"][i][mode]["values"])
            assert tensor.shape == (layers[i]["fan_in"], layers[i]["fan_out"])
            assert value == pytest.approx(float(tensor[r, c]), rel=5e-4, abs=1e-30)  # 4 significant digits
            # and the frame carries the engine's tensor (float32)
            assert float(tensor[r, c]) == pytest.approx(float(engine[mode][f"{name}.W"][r, c]), rel=1e-6, abs=1e-30)
            values.append(value)
        shown[mode] = values
    assert shown["weights"] != shown["grads"] != shown["updates"] != shown["weights"]
    # plain SGD: the update shown is −lr × the gradient shown (a cross-check between two modes)
    lr = config["training"]["learning_rate"]
    assert config["training"]["optimizer"] == "sgd" and config["training"]["l2"] == 0 and config["training"]["clip"] == "none"
    assert np.allclose(shown["updates"], -lr * np.array(shown["grads"]), rtol=2e-3, atol=0)


# ---- 2. the gradient-flow panel -----------------------------------------------------------------
def test_gradient_flow_draws_every_layers_grad_norm_of_every_step(context, base_url, page_log):
    partial = {"network": {"hidden": [{"units": 6, "activation": "tanh"}] * 4}}
    page = open_with_config(context, base_url, page_log, partial)
    steps = run_steps(page, 40)
    series = flow_series(page, steps)
    layers = state(page, "s.layers")
    assert [(s["name"], s["layer"]) for s in series] == [(l["name"], i) for i, l in enumerate(layers)]
    history = page.evaluate("""() => { const h = window.backpropLab.history();
        return {n: h.n, nLayers: h.nLayers, step: Array.from(h.step.subarray(0, h.n)),
                grad_norm: Array.from(h.layers.grad_norm.subarray(0, h.n * h.nLayers))}; }""")
    assert history["n"] == steps and history["nLayers"] == len(layers)
    table = np.array(history["grad_norm"]).reshape(steps, len(layers))
    for k, s in enumerate(series):
        assert s["x"] == list(range(1, steps + 1)) == history["step"]
        assert s["y"] == table[:, k].tolist()  # the panel's data is the history's column, exactly

    # and the engine, re-run in Python with the same config, computed the same norms
    _, norms = replay(state(page, "s.config"), steps)
    drawn = np.array([s["y"] for s in series]).T
    assert np.all(drawn > 0)
    np.testing.assert_allclose(drawn, norms, rtol=1e-6, atol=0)

    # the layer × step map beside it holds log10 of the same values (one step per column here)
    page.wait_for_function("n => (window.backpropLab.charts.flowmap.z[0] || []).length === n", arg=steps)
    z = np.array(page.evaluate("() => window.backpropLab.charts.flowmap.z"), dtype=float)
    assert z.shape == (len(layers), steps)
    np.testing.assert_allclose(z, np.log10(drawn.T), rtol=0, atol=1e-12)


# ---- 3. vanishing vs healthy gradients --------------------------------------------------------
def first_last_ratio(page, steps: int) -> float:
    """Median over the steps of ‖dW‖ of the first dense layer / that of the last, from the panel."""
    series = flow_series(page, steps)
    layers = state(page, "s.layers")
    dense = [i for i, l in enumerate(layers) if l["kind"] == "dense"]
    by_layer = {s["layer"]: np.array(s["y"]) for s in series}
    first, last = by_layer[dense[0]], by_layer[dense[-1]]
    assert np.all(np.isfinite(first)) and np.all(np.isfinite(last)) and np.all(last > 0)
    return float(np.median(first / last))


def test_deep_sigmoid_vanishes_and_relu_he_does_not(page, catalog):
    steps = 50
    config = load_preset(page, catalog, "deep-sigmoid")
    assert {h["activation"] for h in config["network"]["hidden"]} == {"sigmoid"} and len(config["network"]["hidden"]) >= 6
    run_steps(page, steps)
    sigmoid = first_last_ratio(page, steps)
    assert sigmoid < 1e-2, f"deep sigmoid: first/last ‖dW‖ = {sigmoid:.3g}, expected 100× smaller at least"

    config = load_preset(page, catalog, "deep-relu-he")
    assert {h["activation"] for h in config["network"]["hidden"]} == {"relu"} and config["network"]["init"].startswith("he")
    run_steps(page, steps)
    relu = first_last_ratio(page, steps)
    assert 1e-2 < relu < 1e2, f"relu + He: first/last ‖dW‖ = {relu:.3g}, expected the same order of magnitude"
    assert relu > 1e3 * sigmoid


# ---- 4. the step-through ----------------------------------------------------------------------
def expected_phases(layers: list) -> list:
    """(phase, layer index, the tensors the message holds, the first tensors the panel draws)."""
    n = len(layers)
    out = [("forward", i, {"x", "z", "a"}, ["x", "z", "a"]) for i in range(n)]
    out.append(("loss", None, {"output", "losses", "dout"}, ["output", "losses", "dout"]))
    out += [("backward", i, {"da", "dz", "dW", "db"} | ({"dx"} if i > 0 else set()), ["da", "dz", "dW", "db"])
            for i in reversed(range(n))]
    params = [f"{l['name']}.{p}" for l in layers for p in ("W", "b")]
    out.append(("update", None, set(params), [p for p in params if p.endswith(".W")][:4]))
    return out


def click_phase(page, k: int) -> dict:
    """Click Phase, wait for the k-th (1-based) phase of the step to be shown; returns s.phase."""
    page.click("[data-action=phase]")
    page.wait_for_function("n => document.querySelectorAll('#phase-readout > div').length === n", arg=k)
    return state(page, "({phase: s.phase.phase, layer: s.phase.layer, layer_name: s.phase.layer_name, "
                       "tensors: Object.keys(s.phase.tensors), shown: window.backpropLab.charts.phase.shown})")


def network_highlight(page, words: list) -> dict:
    """Wait until the network view's caption mentions all `words`; returns its
    {texts: [caption], rects: [[x0, x1] of each box]}."""
    page.wait_for_function("""words => { const scene = window.backpropLab.charts.network.scene;
        return Boolean(scene && scene.caption) && words.every((w) => scene.caption.includes(w)); }""", arg=words)
    return page.evaluate("""() => { const scene = window.backpropLab.charts.network.scene;
        return {texts: [scene.caption, ...scene.labels.map((l) => l.text)], rects: scene.rects.map((r) => [r.x0, r.x1])}; }""")


def test_step_through_shows_each_phases_tensors_in_order_and_the_network_highlights_it(page):
    run_steps(page, 2)
    layers = state(page, "s.layers")
    assert all(l["kind"] == "dense" for l in layers)  # the default net: column i + 1 is layer i
    n_columns = len(layers) + 1
    for k, (phase, layer, tensors, first_shown) in enumerate(expected_phases(layers), start=1):
        p = click_phase(page, k)
        where = f"phase {k}: {phase} {layer}"
        assert (p["phase"], p["layer"]) == (phase, layer), where
        assert set(p["tensors"]) == tensors, where
        assert p["shown"][:len(first_shown)] == first_shown, where
        assert set(p["shown"]) <= tensors and len(p["shown"]) == len(set(p["shown"])), where
        if phase in ("forward", "backward"):
            assert p["layer_name"] == layers[layer]["name"]
            words = [phase, layers[layer]["name"]]
            column = layer + 1
        else:
            words, column = [phase], (n_columns - 1 if phase == "loss" else None)
        view = network_highlight(page, words)
        # one phase highlighted at a time: a single annotation names a phase, this one
        named = [t for t in view["texts"] if re.search(r"forward|backward|update|loss", t)]
        assert len(named) == 1 and phase in named[0], (where, view["texts"])
        if column is None:  # update: the whole net
            assert any(x0 <= 0 and x1 >= n_columns - 1 for x0, x1 in view["rects"]), (where, view["rects"])
        else:  # a box around the layer's column
            assert any(x0 < column < x1 and x1 - x0 <= 1.01 for x0, x1 in view["rects"]), (where, view["rects"])
    wait_state(page, "s.step === 3")


def test_backward_phase_draws_what_goes_to_the_layer_below(page):
    """The backward phase of every layer but the first sends `dx` (dL/d input) to the layer below;
    the step-through should draw it (phase.js has a title for it: "to the layer below")."""
    layers = state(page, "s.layers")
    shown = {}
    for k, (phase, layer, _, _) in enumerate(expected_phases(layers), start=1):
        p = click_phase(page, k)
        if phase == "backward":
            assert "dx" in p["tensors"] or layer == 0
            shown[layers[layer]["name"]] = p["shown"]
    missing = [name for i, name in enumerate(l["name"] for l in layers) if i > 0 and "dx" not in shown[name]]
    assert not missing, f"the backward phase of {missing} carries dx but the step-through does not draw it: {shown}"


# ---- 5. explain -------------------------------------------------------------------------------
def test_explain_by_message_and_by_clicking_a_link_matches_the_engine(page):
    steps = run_steps(page, 3)
    config = state(page, "s.config")
    batch_size = config["training"]["batch_size"]
    trainer, _ = replay(config, steps)

    # by message
    clear_explain(page)
    page.evaluate("() => window.backpropLab.transport.send('explain', {layer: 0, row: 1, column: 2, example: 0})")
    e = read_explain(page)
    assert (e["name"], e["row"], e["column"]) == ("dense1", 1, 2)
    check_explain(e, trainer, batch_size)

    # by a real click on a link's midpoint: one whose click target no other link shares
    wait_network_frame(page)
    points = link_pixels(page)
    alone = [p for p in points if all(q is p or abs(q["px"] - p["px"]) + abs(q["py"] - p["py"]) > 12 for q in points)]
    assert alone, points
    target = next((p for p in alone if p["cd"][0] == 1), alone[0])  # prefer a hidden-to-hidden link
    layer, row, column = target["cd"]
    clear_explain(page)
    click_link(page, target["cd"])
    e = read_explain(page)
    assert (e["name"], e["row"], e["column"]) == (state(page, "s.layers")[layer]["name"], row, column)
    check_explain(e, trainer, batch_size)


def test_every_link_can_be_clicked_to_explain_it(page):
    """"Click a link to see its gradient built up": each link's click target must be its own. In the
    default net, links whose endpoints' heights sum to the same value share a midpoint marker."""
    run_steps(page, 1)
    wait_network_frame(page)
    layers = state(page, "s.layers")
    clicked, explained = [], []
    for p in link_pixels(page):
        layer, row, column = p["cd"]
        clear_explain(page)
        click_link(page, p["cd"])
        e = read_explain(page)
        clicked.append(f"{layers[layer]['name']}.W[{row}, {column}]")
        explained.append(f"{e['name']}.W[{e['row']}, {e['column']}]")
    unreachable = sorted(set(clicked) - set(explained))
    assert not unreachable, f"these links cannot be clicked (another link's marker sits on theirs): {unreachable}"


# ---- 6. the histogram grid --------------------------------------------------------------------
HIST = "window.backpropLab.charts.hist"


def hist_panels(page, key_counts: str, key_edges: str) -> list:
    """Wait until the grid draws the frame's `key_counts` / `key_edges` of every layer; returns its panels."""
    page.wait_for_function(f"""() => {{ const s = window.backpropLab.getState(); const p = {HIST}.panels;
        return p.length === 2 * s.layers.length && p.every((q) => {{ const h = s.detail.layers[q.layer].hist[q.key];
            return JSON.stringify(q.counts) === JSON.stringify(Array.from(h.{key_counts}))
                && JSON.stringify(q.edges) === JSON.stringify(Array.from(h.{key_edges})); }}); }}""")
    return page.evaluate(f"() => {HIST}.panels")


def test_histogram_grid_draws_every_layers_bins_linear_and_log(page):
    steps = run_steps(page, 3)
    layers, batch = state(page, "s.layers"), state(page, "s.config.training.batch_size")
    assert state(page, "s.detail.step") == steps
    page.locator("#chart-hist").scroll_into_view_if_needed()
    panels = hist_panels(page, "counts", "edges")
    assert [(p["name"], p["key"]) for p in panels] == [(l["name"], k) for l in layers for k in ("act", "grad")]
    for p, l in zip(panels[::2], layers):  # every activation of the batch is binned once
        assert sum(p["counts"]) == batch * l["fan_out"] and len(p["edges"]) == len(p["counts"]) + 1
    for p, l in zip(panels[1::2], layers):  # and every weight gradient
        assert sum(p["counts"]) == l["fan_in"] * l["fan_out"]
    assert page.inner_text("#hist-note") == ""  # three layers fit: none left out

    page.check("#hist-log")
    logs = hist_panels(page, "log_counts", "log_edges")
    assert all(float(e).is_integer() for p in logs for e in (p["edges"][0], p["edges"][-1]))  # whole decades

    # hovering the tallest bar of the first panel names it and its count, as a person reads it
    first = logs[0]
    k = int(np.argmax(first["counts"]))
    box = page.locator("#chart-hist canvas").bounding_box()
    x = box["x"] + first["box"]["x"] + (k + 0.5) * first["box"]["w"] / len(first["counts"])
    page.mouse.move(x, box["y"] + first["box"]["y"] + first["box"]["h"] - 2)
    tip = page.locator("#chart-hist .chart-tip")
    tip.wait_for(state="visible")
    assert re.fullmatch(rf"{layers[0]['name']} a \|v\| in \[1e\S+, 1e\S+\): {first['counts'][k]}(\n.*)?", tip.inner_text(), re.S)


# ---- 7. the output plane ----------------------------------------------------------------------
OUTPUT = "window.backpropLab.charts.output"


def test_output_plane_shows_the_engines_output_where_the_pointer_is(page):
    from engine.panel_data import EXTENT, GRID, output_grid

    steps = run_steps(page, 20)
    trainer, _ = replay(state(page, "s.config"), steps)
    expected = output_grid(trainer)
    assert expected["kind"] == "probability"
    page.evaluate("async () => { window.__packed = await import('/js/packed.js'); }")
    # the plane drawn is the frame's grid, which is the engine's to 8 bits
    page.wait_for_function(f"""() => {{ const d = {OUTPUT}.drawn; const s = window.backpropLab.getState();
        return Boolean(d && d.values && s.grid) && JSON.stringify(Array.from(d.values))
            === JSON.stringify(Array.from(window.__packed.decode(s.grid.values).values)); }}""")
    drawn = np.array(page.evaluate(f"() => Array.from({OUTPUT}.drawn.values)")).reshape(GRID, GRID)
    level = (expected["values"].max() - expected["values"].min()) / 254
    np.testing.assert_allclose(drawn, expected["values"], rtol=0, atol=level / 2 + 1e-6)
    points = state(page, "s.points")
    assert page.evaluate(f"() => {OUTPUT}.drawn.points") == len(points["train"]["x"])

    # hover a grid point: the tooltip names the plane point and the output there
    page.locator("#chart-output").scroll_into_view_if_needed()
    row, col = 12, 37  # plane (ticks[37], ticks[12])
    ticks = np.linspace(*EXTENT, GRID)
    pixel = page.evaluate(f"""([x, y]) => {{ const a = {OUTPUT}.area(); const box = {OUTPUT}.canvas.getBoundingClientRect();
        return [box.left + a.X(x), box.top + a.Y(y)]; }}""", [float(ticks[col]), float(ticks[row])])
    page.mouse.move(*pixel)
    tip = page.locator("#chart-output .chart-tip")
    tip.wait_for(state="visible")
    m = re.match(r"x₁ (\S+), x₂ (\S+)\noutput (\S+)", tip.inner_text())
    assert m, tip.inner_text()
    assert abs(float(m[1]) - ticks[col]) <= 0.01 and abs(float(m[2]) - ticks[row]) <= 0.01
    assert float(m[3]) == pytest.approx(expected["values"][row, col], abs=level / 2 + 5e-4)

    # showing the test points adds them
    page.check("#show-test")
    n = len(points["train"]["x"]) + len(points["test"]["x"])
    page.wait_for_function(f"n => {OUTPUT}.drawn.points === n", arg=n)


# ---- 8. clipping, distributions over time, zoom -----------------------------------------------
def test_clip_chart_marks_the_steps_the_engine_clipped(page):
    page.evaluate("c => window.backpropLab.transport.configure(c)", {"training": {"clip": "norm", "clip_threshold": 0.3}})
    wait_state(page, "s.config.training.clip === 'norm' && s.config.training.clip_threshold === 0.3")
    steps = run_steps(page, 30)
    trainer = Trainer(state(page, "s.config"))
    records = [trainer.step() for _ in range(steps)]
    clipped = sum(r.clip_norm_after < r.clip_norm_before * (1 - 1e-9) for r in records)
    assert 0 < clipped < steps  # the threshold sits inside the norms' range: a real test
    assert all(r.clip_norm_after <= 0.3 * (1 + 1e-9) for r in records)
    page.locator("#panel-clip").scroll_into_view_if_needed()
    page.wait_for_function("n => window.backpropLab.charts.clip.clipped === n", arg=clipped)
    lines = page.evaluate("() => window.backpropLab.charts.clip.chart.spec.lines.map((l) => ({name: l.name, n: l.x.length}))")
    assert lines == [{"name": "before clipping", "n": steps}, {"name": "after", "n": steps},
                     {"name": f"clipped ({clipped} steps)", "n": clipped}]


def test_distribution_over_time_follows_the_chosen_layer(page):
    run_steps(page, 5)
    run_steps(page, 5)  # two answered steps: two frames with histograms
    layers = state(page, "s.layers")
    page.locator("#chart-dist").scroll_into_view_if_needed()
    frames = page.evaluate("() => window.backpropLab.history().histograms.map((h) => h.step)")
    assert frames == [0, 5, 10]  # step 0 has no activations yet: its histograms are empty
    frames = frames[1:]
    for k in (len(layers) - 1, 0):  # the last layer, then the first
        page.select_option("#dist-layer", str(k))
        page.wait_for_function("""([k, steps]) => { const d = window.backpropLab.charts.dist;
            return d.layer === k && JSON.stringify(d.median.x) === JSON.stringify(steps); }""", arg=[k, frames])
        median = page.evaluate("() => window.backpropLab.charts.dist.median.y")
        hist = state(page, "s.detail.layers[arg].hist.act", k)
        low, high = hist["edges"][0], hist["edges"][-1]
        assert low <= median[-1] <= high  # the latest median lies within that layer's histogram


def test_dragging_across_a_layer_chart_zooms_into_those_steps_and_double_click_undoes(page):
    steps = run_steps(page, 40)
    chart = "window.backpropLab.charts.flow.chart"
    page.locator("#chart-flow").scroll_into_view_if_needed()
    page.wait_for_function(f"n => {chart}.shown && {chart}.shown.xRange[1] === n", arg=steps)
    box = page.locator("#chart-flow canvas").bounding_box()
    plot = page.evaluate(f"() => ({{x: {chart}.shown.x, w: {chart}.shown.w, y: {chart}.shown.y, h: {chart}.shown.h}})")
    y = box["y"] + plot["y"] + plot["h"] / 2
    page.mouse.move(box["x"] + plot["x"] + 0.25 * plot["w"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + plot["x"] + 0.75 * plot["w"], y, steps=5)
    page.mouse.up()
    lo, hi = page.evaluate(f"() => {chart}.shown.xRange")
    assert 1 + 0.2 * (steps - 1) < lo < 1 + 0.3 * (steps - 1) and 1 + 0.7 * (steps - 1) < hi < 1 + 0.8 * (steps - 1)
    painted = page.evaluate(f"() => {chart}.painted.map((l) => [l.x[0], l.x[l.x.length - 1]])")
    assert all(lo - 1 <= first and last <= hi + 1 for first, last in painted)  # the steps shown, and one either side
    page.mouse.dblclick(box["x"] + plot["x"] + plot["w"] / 2, y)
    page.wait_for_function(f"n => {chart}.zoom === null && {chart}.shown.xRange[1] === n", arg=steps)
