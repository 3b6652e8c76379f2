"""What the page must survive: a lost connection, a new run after an export, trace files that are
JSON but not a trace the page can show, and a chart draw that throws."""
import json

from labpage import LOSS_LINES, REFUSED_BY_THE_SERVER, export_trace, loss_chart, run_steps, state, wait_loss_x, wait_state

BEFOREUNLOAD = "() => !window.dispatchEvent(new Event('beforeunload', { cancelable: true }))"


def live_steps(page) -> list:
    return page.evaluate("""() => { const h = window.backpropLab.history();
        return Array.from(h.step.subarray(0, h.n)); }""")


def test_a_new_session_after_a_lost_connection_starts_the_charts_anew(page):
    """The server forgets the session when the socket drops; the new one starts at step 0 (and at
    run 1 again). The live history must not keep the lost session's steps."""
    run_steps(page, 5)
    page.evaluate("window.backpropLab.transport.socket.close()")
    wait_state(page, "s.connection === 'closed'")
    wait_state(page, "s.connection === 'open' && s.step === 0 && s.status === 'paused'")
    page.wait_for_function("document.querySelector('#banner').textContent.startsWith('Reconnected')")
    assert "at step 5" in page.inner_text("#banner")
    run_steps(page, 2)
    assert live_steps(page) == [1, 2], "the lost session's steps are still in the live history"
    wait_loss_x(page, [1, 2])


def test_a_new_run_after_an_export_is_guarded_again(page, tmp_path):
    """An export covers the run it saved, not a later run that reaches the same step number."""
    run_steps(page, 3)
    export_trace(page, tmp_path)
    wait_state(page, "s.exportedStep === 3")
    assert page.evaluate(BEFOREUNLOAD) is False
    page.click("[data-action=reset]")
    wait_state(page, "s.step === 0 && s.run === 2")
    run_steps(page, 3)  # a new, unexported run, again at step 3
    assert page.evaluate(BEFOREUNLOAD) is True, "leaving would lose the new run without a warning"


def _trace(page, tmp_path) -> dict:
    run_steps(page, 3)
    path, _ = export_trace(page, tmp_path)
    return json.loads(path.read_bytes())


def _import(page, tmp_path, name: str, trace) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(trace))
    page.set_input_files("#import-file", str(path))
    page.wait_for_function("name => document.querySelector('#banner').textContent.includes(name)", arg=name)
    return page.inner_text("#banner")


def test_a_malformed_step_is_named_not_called_invalid_json(page, tmp_path, page_log):
    page_log.allow(REFUSED_BY_THE_SERVER)
    trace = _trace(page, tmp_path)
    trace["steps"][0] = None
    text = _import(page, tmp_path, "nullstep.json", trace)
    assert page.is_visible("#banner.error")
    assert state(page, "s.replay") is None
    assert "not valid JSON" not in text, text
    assert "steps[0]" in text, text


def test_a_trace_whose_config_the_page_cannot_show_is_refused(page, tmp_path, page_log):
    """A trace whose config the catalog does not know (an unknown dataset, no dataset at all) is
    refused with a banner naming the config, not accepted and then thrown on (in the import's
    change handler, or later in a chart's draw)."""
    page_log.allow(REFUSED_BY_THE_SERVER)
    trace = _trace(page, tmp_path)
    page.evaluate("""() => { window.caught = [];
        window.addEventListener('error', (e) => window.caught.push(e.message));
        window.addEventListener('unhandledrejection', (e) => window.caught.push(String(e.reason))); }""")
    unknown = json.loads(json.dumps(trace))
    unknown["config"]["dataset"]["name"] = "nope"
    missing = json.loads(json.dumps(trace))
    del missing["config"]["dataset"]
    for name, broken in [("unknown-dataset.json", unknown), ("no-dataset.json", missing)]:
        path = tmp_path / name
        path.write_text(json.dumps(broken))
        page.set_input_files("#import-file", str(path))
        # either the page refuses the file (an error banner) or it fails while showing it
        page.wait_for_function("""name => window.caught.length > 0 || (document.querySelector('#banner.error')
            && document.querySelector('#banner').textContent.includes(name))""", arg=name)
        caught = page.evaluate("window.caught")
        page_log.errors.clear()  # reported here, by the assertion below, not again at teardown
        assert not caught, f"the page threw on {name}: {caught}"
        assert state(page, "s.replay") is None
        assert "config" in page.inner_text("#banner")


def test_the_charts_keep_drawing_after_a_draw_throws(page, page_log):
    """One failed draw (here injected into the loss chart's) must not stop every later draw: the
    panels' animation-frame loop has to go on."""
    page_log.allow("injected draw failure")
    page.evaluate("""() => { const chart = window.backpropLab.charts.loss; const draw = chart.draw; window.failedDraws = 0;
        chart.draw = function (...args) {
            if (window.failedDraws === 0) { window.failedDraws = 1; throw new Error('injected draw failure'); }
            return draw.apply(this, args); }; }""")
    run_steps(page, 2)
    page.wait_for_function("window.failedDraws === 1")
    run_steps(page, 3)
    page.wait_for_function(f"() => {LOSS_LINES}.length > 0 && {LOSS_LINES}[0].x.length === 5", timeout=3000)
    assert loss_chart(page)[0]["x"] == [1, 2, 3, 4, 5]
