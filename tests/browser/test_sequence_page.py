"""The page for sequences (issue 14, point 7): the dataset picker offers the sequence sets and their
length, the network setup each layer's kind; a sequence run draws the unrolled view, the gradient
through time, the recurrent eigenvalues and the predictions from the frames' data, phase stepping
walks the unrolled view forward then backward in time, and a switch between input kinds carries
each kind's network, so the page never asks for a config the engine refuses."""
import json

import numpy as np

from labpage import export_trace, hash_config, open_page, run_steps, state, wait_state
from server.encoding import unpack

CHARTS = "window.backpropLab.charts"
POINTS_ONLY = ["#panel-output", "#group-features", "#maps-option"]
SEQUENCE_ONLY = ["#panel-unrolled", "#panel-gradtime", "#panel-eigen", "#panel-predictions"]


def recorded_page(context, base_url, page_log):
    """The page, with every frame it receives kept (parsed) in the returned list."""
    frames = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: frames.append(json.loads(payload)) if '"type":"frame"' in payload else None)

    context.on("page", lambda p: p.on("websocket", on_socket))
    return open_page(context, base_url, page_log), frames


def kind_shown(page, kind: str) -> None:
    """The parts of `kind`'s runs are shown, those of the other kind hidden."""
    shown, hidden = (SEQUENCE_ONLY, POINTS_ONLY) if kind == "sequence" else (POINTS_ONLY, SEQUENCE_ONLY)
    for selector in shown:
        assert page.is_visible(selector), selector
    for selector in hidden:
        assert page.is_hidden(selector), selector


def wait_drawn(page, chart: str, source: str) -> None:
    """Wait until the sequence panel `chart` drew the state's `source` (JS, `s` = the state)."""
    page.locator(f"#panel-{chart}").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {{ const s = window.backpropLab.getState(); const d = {CHARTS}.{chart}.drawn;"
                           f" return d !== null && d.source === ({source}); }}")


def last_heavy(frames: list) -> dict:
    return next(f for f in reversed(frames) if f.get("detail", {}).get("sequence"))


def test_an_lstm_on_a_sequence_set_trains_and_its_panels_draw_the_frames_values(context, base_url, page_log):
    page, frames = recorded_page(context, base_url, page_log)
    kind_shown(page, "points")
    assert page.is_hidden("[data-field='dataset.seq_len']")
    page.click("[data-dataset=adding]")
    wait_state(page, "s.config.dataset.name === 'adding' && s.layers.length === 2")
    assert state(page, "s.config.network.hidden") == [{"kind": "lstm", "units": 16}]  # the sensible default
    assert state(page, "s.config.training.loss") == "mse"  # adding is a regression set
    kind_shown(page, "sequence")
    assert page.input_value("[data-field='dataset.seq_len']") == "20"
    page.fill("[data-field='dataset.seq_len']", "8")
    page.press("[data-field='dataset.seq_len']", "Enter")
    wait_state(page, "s.config.dataset.seq_len === 8 && s.layers[0].in_shape[0] === 8")
    # the layer's kind, among those a sequence set allows; an rnn takes tanh or relu, an lstm none
    assert page.eval_on_selector("[data-layer-kind='0']", "s => [...s.options].map((o) => o.value)") == ["dense", "rnn", "lstm"]
    assert page.is_hidden("#group-network select[data-layer='0']")
    page.select_option("[data-layer-kind='0']", "rnn")
    wait_state(page, "s.layers[0].kind === 'rnn'")
    assert page.eval_on_selector("#group-network select[data-layer='0']", "s => [...s.options].map((o) => o.value)") == ["tanh", "relu"]
    page.select_option("[data-layer-kind='0']", "lstm")
    wait_state(page, "s.layers[0].kind === 'lstm' && s.step === 0")
    assert state(page, "s.config.network.hidden") == [{"kind": "lstm", "units": 16}]
    run_steps(page, 12)
    frame = last_heavy(frames)
    assert frame["step"] == 12
    assert next(f for f in frames if f["run"] == frame["run"])["points"] is None  # no plane for sequences

    wait_drawn(page, "unrolled", "s.detail.layers[0].recurrent.through_time")
    drawn = page.evaluate(f"() => {CHARTS}.unrolled.drawn")
    recurrent = frame["detail"]["layers"][0]["recurrent"]
    assert np.allclose(np.array(drawn["z"]), unpack(recurrent["through_time"]["h"]).T, rtol=0, atol=1e-12)
    example = frame["detail"]["sequence"]["example"]
    assert np.array(drawn["input"]).tolist() == np.array(example["x"]).T.tolist()  # inputs below, channel by channel
    assert drawn["output"] == [example["output"]] and len(example["output"]) == 1  # many-to-one: h_T's output
    page.select_option("#unrolled-mode", "dh")
    page.wait_for_function(f"() => {CHARTS}.unrolled.drawn.mode === 'dh'")
    drawn = page.evaluate(f"() => {CHARTS}.unrolled.drawn.z")
    assert np.array_equal(np.array(drawn, dtype=np.float32), unpack(recurrent["through_time"]["dh"]).T)

    page.locator("#panel-gradtime").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {CHARTS}.gradtime.drawn && {CHARTS}.gradtime.drawn.step === 12")
    gradtime = page.evaluate(f"() => {CHARTS}.gradtime.drawn")
    signals = np.concatenate([unpack(f["scalars"]["through_time"]["signal_norm_by_time"]) for f in frames
                              if f["run"] == frame["run"] and f["scalars"]["count"]])
    assert signals.shape == (12, 1, 8)
    assert np.array_equal(np.array(gradtime["lines"][0]["y"], dtype=np.float32), signals[-1, 0])
    assert gradtime["heatmap"]["steps"] == list(range(1, 13))
    assert np.allclose(np.array(gradtime["heatmap"]["z"], dtype=float), np.log10(signals[:, 0].astype(float)).T)
    assert "‖dL/dh_1‖ / ‖dL/dh_T‖" in page.inner_text("#gradtime-note")

    wait_drawn(page, "eigen", "s.detail.layers[0].recurrent.spectrum")
    eigen = page.evaluate(f"() => {CHARTS}.eigen.drawn")
    spectrum = recurrent["spectrum"]
    assert (eigen["blocks"], eigen["real"], eigen["imag"]) == (["i", "f", "g", "o"], spectrum["real"], spectrum["imag"])
    radius = max(spectrum["spectral_radius"])
    assert f"largest |λ| = {radius:.3f}" in page.inner_text("#eigen-note")
    assert "Inside the dotted circle (|λ| < 1) gradients shrink through time; outside they can grow." in page.inner_text("#eigen-note")

    page.locator("#panel-predictions").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {CHARTS}.predictions.drawn === window.backpropLab.getState().detail.sequence.predictions")
    assert page.evaluate(f"() => {CHARTS}.predictions.drawn") == frame["detail"]["sequence"]["predictions"]
    assert f"test loss {'%#.3g' % frame['metrics']['test_loss']}" in page.inner_text("#predictions-note")


def test_phase_stepping_walks_the_unrolled_view_forward_then_backward_in_time(page):
    page.evaluate("() => window.backpropLab.transport.configure({dataset: {name: 'remember_first', seq_len: 4},"
                  " network: {hidden: [{kind: 'lstm', units: 3}]}})")
    wait_state(page, "s.layers[0]?.kind === 'lstm' && s.config.dataset.seq_len === 4")
    run_steps(page, 1)
    page.locator("#panel-unrolled").scroll_into_view_if_needed()
    expected = [("forward", 1), ("forward", 2), ("forward", 3), ("forward", 4), ("forward", None), ("loss", None),
                ("backward", None), ("backward", 4), ("backward", 3), ("backward", 2), ("backward", 1), ("update", None)]
    walked = []
    for phase, t in expected:
        count = len(walked)
        page.click("[data-action=phase]")
        wait_state(page, "s.phase !== null && s.phase.phase === arg[0] && (s.phase.t ?? null) === arg[1]", [phase, t])
        highlight = None if t is None else {"t": t, "direction": phase}
        page.wait_for_function(f"h => JSON.stringify({CHARTS}.unrolled.drawn?.highlight ?? null) === JSON.stringify(h)", arg=highlight)
        walked.append(page.evaluate(f"() => {CHARTS}.unrolled.drawn.highlight"))
        assert len(walked) == count + 1
    assert [h["t"] if h else None for h in walked] == [1, 2, 3, 4, None, None, None, 4, 3, 2, 1, None]
    assert "backward" not in page.inner_text("#unrolled-note")  # the step is done: no time step in progress
    readout = page.eval_on_selector_all("#phase-readout > div", "ds => ds.map((d) => d.textContent.split(':')[0])")
    assert readout == [f"step 1 → 2 · {phase} · lstm1 at t = {t}" if t else readout[k] for k, (phase, t) in enumerate(expected)]
    assert readout[0] == "step 1 → 2 · forward · lstm1 at t = 1" and readout[4] == "step 1 → 2 · forward · dense2"
    wait_state(page, "s.step === 2")


def test_switching_input_kinds_carries_each_kinds_last_network_and_the_url_restores_a_sequence_run(
        page, context, page_log):
    page.click("[data-action=add-layer]")
    wait_state(page, "s.config.network.hidden.length === 3")
    points_net = state(page, "s.config.network.hidden")
    page.click("[data-dataset=sine]")
    wait_state(page, "s.config.dataset.name === 'sine' && s.layers[0].kind === 'lstm'")
    kind_shown(page, "sequence")
    page.click("#group-network [data-layer='0'] [data-action=remove-neuron]")
    wait_state(page, "s.config.network.hidden[0].units === 15")
    sine = state(page, "s.config")
    run_steps(page, 2)
    page.locator("#panel-predictions").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {CHARTS}.predictions.drawn === window.backpropLab.getState().detail.sequence.predictions")
    drawn = page.evaluate(f"() => {CHARTS}.predictions.drawn")
    assert drawn["kind"] == "many_to_many" and np.array(drawn["targets"]).shape == (4, 20)

    page.click("[data-dataset=moons]")
    wait_state(page, "s.config.dataset.name === 'moons' && s.layers[0].kind === 'dense' && s.step === 0")
    config = state(page, "s.config")
    assert config["network"]["hidden"] == points_net
    assert "seq_len" not in config["dataset"] and "recurrent_init" not in config["network"]
    assert config["training"]["loss"] == "bce"  # moons is a classification set again
    kind_shown(page, "points")
    page.wait_for_function("() => window.backpropLab.charts.output.drawn?.values !== null")
    assert state(page, "s.points !== null && s.maps !== null")

    page.click("[data-dataset=sine]")
    wait_state(page, "s.config.dataset.name === 'sine' && s.layers[0].kind === 'lstm'")
    assert state(page, "s.config.network.hidden") == sine["network"]["hidden"]
    assert state(page, "s.maps === null && s.grid === null && s.points === null")
    assert hash_config(page.url)["network"]["hidden"] == sine["network"]["hidden"]
    restored = open_page(context, page.url, page_log)
    wait_state(restored, "JSON.stringify(s.config) === JSON.stringify(arg) && s.layers[0]?.kind === 'lstm'", sine)
    kind_shown(restored, "sequence")
    restored.close()


def test_a_sequence_run_exports_and_its_trace_replays_in_the_sequence_panels(page, tmp_path):
    page.evaluate("() => window.backpropLab.transport.configure({dataset: {name: 'remember_first', seq_len: 5},"
                  " network: {hidden: [{kind: 'rnn', units: 3}]}})")
    wait_state(page, "s.layers[0]?.kind === 'rnn' && s.config.dataset.seq_len === 5")
    run_steps(page, 6)
    path, _ = export_trace(page, tmp_path)
    trace = json.loads(path.read_text())
    page.set_input_files("#import-file", str(path))
    wait_state(page, "s.replay !== null")
    kind_shown(page, "sequence")
    snapshot = "s.replay.snapshots[s.replay.index]"
    wait_drawn(page, "unrolled", f"{snapshot}.detail.layers[0].recurrent.through_time")
    shown = state(page, f"{snapshot}.step")
    stored = next(s["snapshot"] for s in trace["steps"] if s["step"] == shown and "snapshot" in s)
    drawn = page.evaluate(f"() => {CHARTS}.unrolled.drawn")
    assert drawn["z"] == np.array(stored["detail"]["layers"][0]["recurrent"]["through_time"]["h"]).T.tolist()
    page.locator("#panel-gradtime").scroll_into_view_if_needed()
    page.wait_for_function(f"() => {CHARTS}.gradtime.drawn && {CHARTS}.gradtime.drawn.step === 6")
    lines = page.evaluate(f"() => {CHARTS}.gradtime.drawn.lines")
    assert lines == [{"layer": 0, "name": "rnn1", "y": trace["steps"][-1]["layers"][0]["signal_norm_by_time"]}]


def test_a_recurrent_nets_own_fields_show_with_it_and_a_refused_one_says_why(page):
    for path in ("network.recurrent_init", "network.forget_bias", "dataset.seq_len"):
        assert page.is_hidden(f"[data-field='{path}']"), path  # a points net has none
    page.click("[data-dataset=remember_first]")
    wait_state(page, "s.layers[0]?.kind === 'lstm'")
    assert page.input_value("[data-field='network.recurrent_init']") == "orthogonal"
    assert page.input_value("[data-field='network.forget_bias']") == "1"
    page.select_option("[data-field='network.recurrent_init']", "identity")  # the IRNN's init: an rnn's only
    message = page.locator("[data-field='network.recurrent_init'] >> xpath=ancestor::div[contains(@class, 'field')]"
                           " >> [data-testid=field-message]")
    message.wait_for()
    assert "identity" in message.inner_text() and message.inner_text().endswith("still orthogonal")
    assert page.input_value("[data-field='network.recurrent_init']") == "orthogonal"
    page.select_option("[data-layer-kind='0']", "rnn")
    wait_state(page, "s.layers[0].kind === 'rnn'")
    assert page.is_hidden("[data-field='network.forget_bias']")  # an lstm's only
    page.select_option("[data-field='network.recurrent_init']", "identity")
    wait_state(page, "s.config.network.recurrent_init === 'identity' && s.step === 0")
    page.click("[data-dataset=xor]")
    wait_state(page, "s.config.dataset.name === 'xor' && s.layers[0].kind === 'dense'")
    assert page.is_hidden("[data-field='network.recurrent_init']")
