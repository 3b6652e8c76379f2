"""The page in a real browser against a real server: loading, playback, the keyboard, the
step-through, the network editor and the URL hash, export/import/replay, the ghost overlay,
live hyperparameters and the unload guard."""
import json

from engine import parse_trace
from labpage import (LOSS_LINES, REFUSED_BY_THE_SERVER, counter, export_trace, ghost_of_an_earlier_run, hash_config, loss_chart, open_page,
                     run_steps, state, wait_counter, wait_loss_x, wait_state)

EDITOR = "[data-testid=network-editor]"


def select_options(page, selector: str) -> list:
    return page.eval_on_selector(selector, "el => Array.from(el.options, (o) => o.value)")


def editor_layers(page) -> list:
    """The network editor's cards as [{units, activation}]."""
    return page.eval_on_selector_all(f"{EDITOR} .net-layer", """cards => cards.map((c) => ({
        units: parseInt(c.querySelector('.units').textContent, 10),
        activation: c.querySelector('select').value}))""")


# ---- 1. loading -------------------------------------------------------------------------------
def test_page_loads_with_every_control_from_the_catalog(page, catalog):
    choices = catalog["choices"]
    defaults = catalog["defaults"]
    assert page.title() == "Backprop Lab"
    assert page.inner_text("#status") == "paused"
    assert counter(page) == 0
    assert state(page, "s.connection") == "open"

    # dataset thumbnails: one per set the page draws, points and sequences, drawn, the default one
    # pressed; the custom set last, a tile that uploads your own points
    names = [d["name"] for d in choices["datasets"] if d["input_kind"] != "image"]
    assert len(names) == 12 and sum(d["input_kind"] == "points" for d in choices["datasets"]) == 9
    assert names[-1] == "custom" and page.inner_text("[data-dataset=custom]").endswith("your data")
    thumbs = page.locator("#group-data .thumb")
    assert thumbs.count() == len(names)
    assert page.eval_on_selector_all("#group-data .thumb", "b => b.map((x) => x.dataset.dataset)") == names
    painted = page.eval_on_selector_all("#group-data .thumb canvas", """cs => cs.map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })""")
    assert len(painted) == len(names) - 1 and all(n > 20 for n in painted), painted  # all but the custom set
    assert page.get_attribute(f"[data-dataset={defaults['dataset']['name']}]", "aria-pressed") == "true"

    # features: a checkbox per feature, the default ones ticked
    features = page.eval_on_selector_all("[data-feature]", "fs => fs.map((f) => [f.dataset.feature, f.checked])")
    assert [f for f, _ in features] == [f["name"] for f in choices["features"]]
    assert [f for f, on in features if on] == defaults["dataset"]["features"]

    # network editor: a card per hidden layer of the default net
    assert page.is_visible(EDITOR)
    assert editor_layers(page) == defaults["network"]["hidden"]
    assert page.is_visible("[data-action=add-layer]") and page.is_visible("[data-action=remove-layer]")
    assert select_options(page, f"{EDITOR} select[data-layer='0']") == [a["name"] for a in choices["activations"]]

    # training controls, and the menus list the catalog's choices
    assert select_options(page, "[data-field='training.optimizer']") == [o["name"] for o in choices["optimizers"]]
    assert select_options(page, "[data-field='training.loss']") == [o["name"] for o in choices["losses"]]
    assert select_options(page, "[data-field='network.init']") == [o["name"] for o in choices["inits"]]
    assert select_options(page, "[data-field='training.clip']") == [o["name"] for o in choices["clips"]]
    assert page.input_value("[data-field='training.optimizer']") == defaults["training"]["optimizer"]
    assert float(page.input_value("[data-field='training.learning_rate']")) == defaults["training"]["learning_rate"]
    assert int(page.input_value("[data-field='training.batch_size']")) == defaults["training"]["batch_size"]
    for action in ("reset", "play", "step", "phase", "export", "import"):
        assert page.is_visible(f"[data-action={action}]"), action
    assert page.is_hidden("[data-action=pause]")
    # the output plane and the loss chart are painted on canvases
    page.wait_for_selector("#chart-output canvas", state="attached")
    page.wait_for_selector("#chart-loss canvas", state="attached")


# ---- 2. play and pause ------------------------------------------------------------------------
def test_play_advances_and_pause_stops(page):
    page.click("[data-action=play]")
    page.wait_for_function("document.querySelector('#status').textContent === 'running'")
    assert page.is_visible("[data-action=pause]") and page.is_hidden("[data-action=play]")
    page.wait_for_function("Number(document.querySelector('[data-testid=step]').textContent.replaceAll(',', '')) > 20")

    page.click("[data-action=pause]")
    page.wait_for_function("document.querySelector('#status').textContent === 'paused'")
    assert page.is_visible("[data-action=play]") and page.is_hidden("[data-action=pause]")
    # over the next 500 ms, sampled every animation frame, the counter and the state stay fixed
    seen = page.evaluate("""() => new Promise((done) => {
        const seen = new Set(); const t0 = performance.now();
        const sample = () => {
            const text = document.querySelector('[data-testid=step]').textContent;
            seen.add(text + '|' + window.backpropLab.getState().step);
            if (performance.now() - t0 < 500) requestAnimationFrame(sample); else done(Array.from(seen));
        };
        sample();
    })""")
    assert len(seen) == 1, f"the counter moved after pause: {seen}"
    text, step = seen[0].split("|")
    assert int(text.replace(",", "")) == int(step) > 20


# ---- 3. step and the keyboard -----------------------------------------------------------------
# Record the types of the messages the transport sends from now on, in window.sentTypes.
SPY = """() => { const t = window.backpropLab.transport; window.sentTypes = [];
    if (!t.unspied) {
        t.unspied = t.send;
        t.send = function (type, fields) { window.sentTypes.push(type); return t.unspied.call(this, type, fields); };
    } }"""


def test_step_button_adds_exactly_one_and_keys_on_it_send_one_message(page):
    page.click("[data-action=step]")
    wait_state(page, "s.step >= 1")
    wait_counter(page, 1)
    assert state(page, "s.step") == 1
    page.click("[data-action=step]")
    wait_state(page, "s.step >= 2")
    wait_counter(page, 2)
    assert state(page, "s.step") == 2
    assert page.inner_text("#status") == "paused"

    # focus stays on the Step button: Space must play/pause (not also press Step on its keyup),
    # ArrowRight and Shift+ArrowRight must send exactly one message each
    assert page.evaluate("document.activeElement.dataset.action") == "step"
    page.evaluate(SPY)
    page.keyboard.press("Space")
    assert page.evaluate("window.sentTypes") == ["play"]
    wait_state(page, "s.status === 'running'")
    page.evaluate(SPY)
    page.keyboard.press("Space")
    assert page.evaluate("window.sentTypes") == ["pause"]
    wait_state(page, "s.status === 'paused'")
    step = state(page, "s.step")
    page.evaluate(SPY)
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.sentTypes") == ["step"]
    wait_state(page, "s.step === arg", step + 1)
    page.evaluate(SPY)
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.sentTypes") == ["phase"]
    wait_state(page, "s.phase !== null && s.phase.phase === 'forward'")


def test_keyboard_space_arrow_and_shift_arrow(page):
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Space")
    wait_state(page, "s.status === 'running' && s.step > 5")
    page.keyboard.press("Space")
    wait_state(page, "s.status === 'paused'")
    page.wait_for_function("document.querySelector('#status').textContent === 'paused'")
    paused_at = state(page, "s.step")
    assert counter(page) == paused_at > 5

    page.keyboard.press("ArrowRight")
    wait_state(page, "s.step > arg", paused_at)
    assert state(page, "s.step") == paused_at + 1
    wait_counter(page, paused_at + 1)

    page.keyboard.press("Shift+ArrowRight")
    wait_state(page, "s.phase !== null")
    phase = state(page, "{phase: s.phase.phase, layer: s.phase.layer, step: s.phase.step}")
    assert phase == {"phase": "forward", "layer": 0, "step": paused_at + 2}
    page.wait_for_selector("#panel-phase", state="visible")
    entries = page.eval_on_selector_all("#phase-readout > div", "d => d.map((e) => [e.dataset.phase, e.dataset.layer])")
    assert entries == [["forward", "0"]]
    assert state(page, "s.step") == paused_at + 1  # a phase is not a step
    assert counter(page) == paused_at + 1


# ---- 4. the step-through ----------------------------------------------------------------------
def test_phase_cycle_forward_loss_backward_update(page):
    assert state(page, "s.layers.length") == 3  # the default net: two hidden layers and the output
    expected = [("forward", "0"), ("forward", "1"), ("forward", "2"), ("loss", ""),
                ("backward", "2"), ("backward", "1"), ("backward", "0"), ("update", "")]
    for k in range(8):
        page.click("[data-action=phase]")
        page.wait_for_function("n => document.querySelectorAll('#phase-readout > div').length === n", arg=k + 1)
        if k < 7:
            assert state(page, "s.step") == 0 and counter(page) == 0, f"the step counted before the update (phase {k})"
    entries = page.eval_on_selector_all("#phase-readout > div", "d => d.map((e) => [e.dataset.phase, e.dataset.layer])")
    assert [tuple(e) for e in entries] == expected
    wait_state(page, "s.step === 1")
    wait_counter(page, 1)
    assert state(page, "s.phase.phase") == "update" and state(page, "s.phase.step") == 1
    # a ninth phase starts the next step afresh
    page.click("[data-action=phase]")
    page.wait_for_function("document.querySelectorAll('#phase-readout > div').length === 1")
    assert page.eval_on_selector("#phase-readout > div", "e => [e.dataset.phase, e.dataset.layer]") == ["forward", "0"]
    assert state(page, "s.phase.step") == 2


# ---- 5. rebuilds and the URL hash -------------------------------------------------------------
def _check_rebuilt(page, run: int, expected_hidden: list) -> None:
    """A rebuild: a new run at step 0, a toast saying what changed in words, the editor and the URL hash follow."""
    wait_state(page, "s.run > arg && s.step === 0", run)
    wait_state(page, "JSON.stringify(s.config.network.hidden) === JSON.stringify(arg)", expected_hidden)
    wait_counter(page, 0)
    toast = page.locator("[data-testid=toast]", has_text="Rebuilt").last
    toast.wait_for()
    assert toast.inner_text() == "Rebuilt the network: new hidden layers; a new run from step 0"
    assert editor_layers(page) == expected_hidden
    assert page.inner_text("[data-testid=hidden-count]") == f"{len(expected_hidden)} hidden layers"
    page.wait_for_function("arg => location.hash.includes(arg)", arg=expected_hidden[-1]["activation"])
    assert hash_config(page.url)["network"]["hidden"] == expected_hidden


def test_depth_and_activation_changes_rebuild_and_the_url_restores_them(page, context, page_log, catalog):
    hidden = [dict(layer) for layer in catalog["defaults"]["network"]["hidden"]]
    # depth: + layer copies the last hidden layer
    run_steps(page, 3)
    run = state(page, "s.run")
    page.click("[data-action=add-layer]")
    hidden = hidden + [dict(hidden[-1])]
    _check_rebuilt(page, run, hidden)
    # an activation: the new layer's card
    run_steps(page, 2)
    run = state(page, "s.run")
    page.select_option(f"{EDITOR} select[data-layer='2']", "relu")
    hidden[2]["activation"] = "relu"
    _check_rebuilt(page, run, hidden)

    # the URL restores the setup in a new page
    restored = open_page(context, page.url, page_log)
    wait_state(restored, "JSON.stringify(s.config.network.hidden) === JSON.stringify(arg)", hidden)
    wait_state(restored, "s.layers.length === arg", len(hidden) + 1)
    assert editor_layers(restored) == hidden
    assert restored.inner_text("[data-testid=hidden-count]") == f"{len(hidden)} hidden layers"
    assert state(restored, "s.config") == state(page, "s.config")
    assert hash_config(restored.url) == hash_config(page.url)
    restored.close()


# ---- 6. export --------------------------------------------------------------------------------
def test_export_downloads_a_trace_the_engine_loads(page, tmp_path):
    run_steps(page, 12)
    path, download = export_trace(page, tmp_path)
    assert download.suggested_filename == "backprop-lab-spiral-step12.json"
    trace = parse_trace(path.read_bytes())
    assert [s["step"] for s in trace["steps"]] == list(range(1, 13))
    assert trace["config"] == state(page, "s.config")
    assert [s["step"] for s in trace["steps"] if "snapshot" in s] == [1, 2, 5, 10, 12]  # 12: the last
    wait_state(page, "s.exportedStep === 12")


# ---- 7. import and replay ---------------------------------------------------------------------
def test_import_shows_the_trace(page, tmp_path):
    run_steps(page, 12)
    path, _ = export_trace(page, tmp_path)
    trace = json.loads(path.read_bytes())
    run_steps(page, 8)  # the live run moves on: the panels must show the file, not this
    wait_loss_x(page, list(range(1, 21)))  # (the chart redraws at most every 250 ms)
    page.set_input_files("#import-file", str(path))
    wait_state(page, "s.replay !== null")

    assert page.is_visible("#replay-bar")
    assert page.inner_text("#replay-title") == path.name
    snapshot_steps = [s["step"] for s in trace["steps"] if "snapshot" in s]
    assert state(page, "s.replay.snapshots.map((x) => x.step)") == snapshot_steps
    assert state(page, "s.replay.index") == len(snapshot_steps) - 1
    assert state(page, "s.replay.history.n") == len(trace["steps"])
    n = len(snapshot_steps)
    assert page.inner_text("#replay-step") == f"step {snapshot_steps[-1]} ({n} of {n})"
    wait_counter(page, snapshot_steps[-1])
    assert "Replaying" in page.inner_text("#banner") and page.is_visible("#banner")

    # the loss chart now draws the trace's series
    steps = [s["step"] for s in trace["steps"]]
    wait_loss_x(page, steps)
    minibatch = loss_chart(page)[0]
    assert minibatch["name"] == "minibatch"
    assert minibatch["y"] == [s["loss"] for s in trace["steps"]]

    # the slider picks another snapshot
    page.eval_on_selector("#replay-slider", "el => { el.value = 0; el.dispatchEvent(new Event('input')); }")
    assert page.inner_text("#replay-step") == f"step {snapshot_steps[0]} (1 of {n})"
    wait_counter(page, snapshot_steps[0])

    # back to live: the bar hides and the counter shows the live run again
    page.click("#replay-close")
    assert page.is_hidden("#replay-bar")
    assert state(page, "s.replay") is None
    wait_counter(page, 20)
    wait_loss_x(page, list(range(1, 21)))


def test_import_of_a_malformed_file_names_the_problem(page, tmp_path, page_log):
    page_log.allow(REFUSED_BY_THE_SERVER)
    bad = tmp_path / "broken.json"
    bad.write_text("{ this is not json")
    page.set_input_files("#import-file", str(bad))
    page.wait_for_selector("#banner.error", state="visible")
    text = page.inner_text("#banner")
    assert "broken.json" in text and "not valid JSON" in text, text
    assert state(page, "s.replay") is None and page.is_hidden("#replay-bar")

    run_steps(page, 3)
    path, _ = export_trace(page, tmp_path)
    trace = json.loads(path.read_bytes())
    trace["version"] = 2
    future = tmp_path / "future.json"
    future.write_text(json.dumps(trace))
    page.set_input_files("#import-file", str(future))
    page.wait_for_function("document.querySelector('#banner').textContent.includes('future.json')")
    text = page.inner_text("#banner")
    assert page.is_visible("#banner.error")
    assert "version" in text and "2" in text, text
    assert state(page, "s.replay") is None and page.is_hidden("#replay-bar")


# ---- 8. the ghost overlay ---------------------------------------------------------------------
def test_ghost_overlay_on_the_live_loss_chart(page, tmp_path):
    path = ghost_of_an_earlier_run(page, tmp_path)
    # the live run's 4 steps drawn (not the replay's 12, drawn before the close), with a ghost
    page.wait_for_function(f"""() => {{ const d = {LOSS_LINES};
        return d.some((t) => t.name.startsWith('ghost')) && d.length && d[0].x.length === 4; }}""")
    traces = loss_chart(page)
    ghost = [t for t in traces if t["name"].startswith("ghost")]
    assert len(ghost) == 1
    assert path.name in ghost[0]["name"]
    assert ghost[0]["x"] == list(range(1, 13))
    # and the rest is the live run (4 steps since the reset), not the file
    live = [t for t in traces if t["name"] == "minibatch"]
    assert len(live) == 1 and live[0]["x"] == [1, 2, 3, 4]


# ---- 9. a live hyperparameter -----------------------------------------------------------------
def test_learning_rate_changes_live_without_a_rebuild(page):
    run_steps(page, 5)
    run = state(page, "s.run")
    field = page.locator("[data-field='training.learning_rate']")
    field.fill("0.1")
    field.press("Tab")
    wait_state(page, "s.config.training.learning_rate === 0.1")
    assert state(page, "s.step") == 5 and state(page, "s.run") == run
    assert page.locator("[data-testid=toast]", has_text="Rebuilt").count() == 0
    assert hash_config(page.url) == {"training": {"learning_rate": 0.1}}
    # the next step continues the same run, with the new rate in force
    run_steps(page, 1)
    assert state(page, "s.step") == 6 and state(page, "s.run") == run
    assert state(page, "s.config.training.learning_rate") == 0.1
    assert float(field.input_value()) == 0.1
    assert state(page, "window.backpropLab.history().n") == 6


# ---- 10. the unload guard ---------------------------------------------------------------------
BEFOREUNLOAD = """() => {
    const e = new Event('beforeunload', { cancelable: true });
    const notCancelled = window.dispatchEvent(e);
    return { cancelled: !notCancelled, defaultPrevented: e.defaultPrevented };
}"""


def test_beforeunload_guards_an_unexported_run(page, tmp_path):
    assert page.evaluate(BEFOREUNLOAD) == {"cancelled": False, "defaultPrevented": False}  # step 0
    run_steps(page, 3)
    assert page.evaluate(BEFOREUNLOAD) == {"cancelled": True, "defaultPrevented": True}
    export_trace(page, tmp_path)
    wait_state(page, "s.exportedStep === 3")
    assert page.evaluate(BEFOREUNLOAD) == {"cancelled": False, "defaultPrevented": False}
    run_steps(page, 1)  # new steps since the export: guarded again
    assert page.evaluate(BEFOREUNLOAD) == {"cancelled": True, "defaultPrevented": True}
