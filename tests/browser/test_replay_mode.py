"""Replay as a mode of its own (issue 13, points 1 and 2), in a real browser against a real server:
with a trace imported, the header, the metrics, the badges and the setup column describe the
trace; Step, Play and the keys move through its snapshots and send nothing to the live run; the
live run's own controls are disabled, saying why; "Back to live run" restores the live run as it
was. A run shorter than the snapshot interval still exports snapshots from its start to its end."""
import json

import pytest

from engine import Trainer, encode
from labpage import export_trace, run_steps, state, wait_counter, wait_state

# the large-init preset's setup: its gradients grow until a step overflows (at step 212 once the
# learning rate is raised to 1.0 at step 60)
GROWING = {"dataset": {"name": "plane"}, "network": {"hidden": [{"units": 8, "activation": "tanh"}] * 2,
           "init": "normal", "init_gain": 1.0}, "training": {"loss": "mse", "learning_rate": 0.3}}
LIVE_ONLY = ["[data-action=reset]", "[data-action=phase]", "#speed", "[data-action=export]", "#preset"]
# Record the type of every message the page sends from now on, in window.sent.
RECORD_SENT = """() => { const t = window.backpropLab.transport; const send = t.send.bind(t); window.sent = [];
    t.send = (type, fields) => { window.sent.push(type); return send(type, fields); }; }"""


@pytest.fixture(scope="module")
def diverged_trace(tmp_path_factory):
    """(path, trace): a run that diverged after a live change, exported by the engine with snapshots
    every 50 steps."""
    trainer = Trainer(GROWING, snapshot_every=50)
    trainer.run(60)
    trainer.reconfigure({"training": {"learning_rate": 1.0}})
    assert not trainer.run(500).applied
    path = tmp_path_factory.mktemp("traces") / "diverged.json"
    path.write_bytes(encode(trainer.export_trace()))
    return path, json.loads(path.read_bytes())


def header(page) -> dict:
    """What the bar says: {step, epoch, status, metrics}."""
    return page.evaluate("""() => ({step: document.querySelector('#step').textContent,
        epoch: document.querySelector('#epoch').textContent, status: document.querySelector('#status').textContent,
        metrics: document.querySelector('#metrics').textContent})""")


def badges(page) -> list:
    """The health badges as drawn: [(id, status)]."""
    return [tuple(b) for b in page.eval_on_selector_all(
        "#badges [data-testid^=badge-]", "bs => bs.map((b) => [b.dataset.testid.slice(6), b.dataset.status])")]


def disabled(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "el => el.disabled")


def test_replay_shows_only_the_trace_and_back_to_live_restores_the_run(page, diverged_trace):
    path, trace = diverged_trace
    snapshots = [s for s in trace["steps"] if "snapshot" in s]
    last = snapshots[-1]
    run_steps(page, 7)
    wait_state(page, "s.health !== null")
    live = {"header": header(page), "badges": badges(page), "rate": page.input_value("#field-training\\.learning_rate"),
            "titles": [page.get_attribute(c, "title") for c in LIVE_ONLY]}
    assert live["header"]["status"] == "paused" and live["header"]["step"] == "7"

    page.set_input_files("#import-file", str(path))
    wait_state(page, "s.replay !== null")
    page.evaluate(RECORD_SENT)

    # the header, metrics and badges are the trace's, at its last snapshot (where it diverged)
    wait_counter(page, last["step"])
    shown = header(page)
    nonfinite = trace["nonfinite"]
    assert shown["epoch"] == str(last["snapshot"]["epoch"])
    assert shown["status"] == f"replay · diverged at step {nonfinite['step']}"
    assert page.get_attribute("#status", "title").startswith(f"step {nonfinite['step']} was refused: a non-finite value")
    assert "diverged" in page.get_attribute("#status", "class")
    assert shown["metrics"] == "train loss — · test loss —"  # overflowed: non-finite, written as null
    assert live["header"]["metrics"].startswith("train loss 0.")
    assert badges(page) == [(b["id"], b["status"]) for b in last["snapshot"]["health"]]
    assert ("diverged", "warn") in badges(page)
    assert "Nothing trains" not in page.inner_text("#banner")

    # the setup column shows the trace's config at the snapshot on show, read-only
    assert page.input_value("#field-training\\.learning_rate") == "1"
    assert page.input_value("#field-training\\.loss") == "mse"
    assert page.get_attribute("[data-dataset=plane]", "aria-pressed") == "true"
    assert page.is_visible("[data-testid=setup-replay-note]")
    assert page.eval_on_selector_all(".controls :is(input, select, button), #group-network :is(input, select, button)",
                                     "cs => cs.length > 20 && cs.every((c) => c.disabled)")
    # the live run's own controls are disabled, saying why
    for control in LIVE_ONLY:
        assert disabled(page, control), control
        assert "Back to live run" in page.get_attribute(control, "title"), control

    # Step, the keys and Play move through the trace's snapshots
    page.eval_on_selector("#replay-slider", "el => { el.value = 0; el.dispatchEvent(new Event('input')); }")
    wait_counter(page, snapshots[0]["step"])
    assert page.input_value("#field-training\\.learning_rate") == "0.3"  # before the live change
    fmt = "v => Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(4)"
    metrics = snapshots[0]["snapshot"]["metrics"]
    written = [page.evaluate(fmt, metrics[k]) for k in ("train_loss", "test_loss")]
    assert header(page)["metrics"] == f"train loss {written[0]} · test loss {written[1]}"
    page.click("[data-action=step]")
    wait_state(page, "s.replay.index === 1")
    wait_counter(page, snapshots[1]["step"])
    assert page.inner_text("#replay-step") == f"step {snapshots[1]['step']} (2 of {len(snapshots)})"
    assert header(page)["epoch"] == str(snapshots[1]["snapshot"]["epoch"])
    assert badges(page) == [(b["id"], b["status"]) for b in snapshots[1]["snapshot"]["health"]]
    page.keyboard.press("ArrowRight")
    wait_state(page, "s.replay.index === 2")
    page.click("[data-action=play]")
    wait_state(page, "s.replay.playing")
    assert page.is_visible("[data-action=pause]") and page.is_hidden("[data-action=play]")
    wait_state(page, "!s.replay.playing && s.replay.index === arg", len(snapshots) - 1, timeout=20_000)
    wait_counter(page, last["step"])
    page.keyboard.press(" ")  # at the end, space plays the trace again from its start
    wait_state(page, "s.replay.playing")
    page.click("[data-action=pause]")
    wait_state(page, "!s.replay.playing")
    assert state(page, "window.sent") == []  # nothing of this reached the live run

    # back to the live run: as it was, paused at step 7
    page.click("#replay-close")
    wait_state(page, "s.replay === null")
    wait_counter(page, 7)
    assert header(page) == live["header"]
    assert badges(page) == live["badges"]
    assert page.input_value("#field-training\\.learning_rate") == live["rate"]
    assert page.is_hidden("[data-testid=setup-replay-note]") and page.is_hidden("#replay-bar")
    assert not disabled(page, "#field-training\\.learning_rate")
    assert [page.get_attribute(c, "title") for c in LIVE_ONLY] == live["titles"]
    assert not any(disabled(page, c) for c in LIVE_ONLY)
    assert state(page, "s.step") == 7 and state(page, "s.status") == "paused"


def test_a_run_shorter_than_the_snapshot_interval_replays_from_its_start_to_its_end(page, tmp_path):
    # the browser tests' server snapshots every 5 steps: 4 steps never reach an interval's end
    run_steps(page, 4)
    path, _ = export_trace(page, tmp_path)
    trace = json.loads(path.read_bytes())
    assert [s["step"] for s in trace["steps"] if "snapshot" in s] == [1, 2, 4]
    page.set_input_files("#import-file", str(path))
    wait_state(page, "s.replay !== null")
    assert "3 snapshots" in page.inner_text("#banner")
    assert page.inner_text("#replay-step") == "step 4 (3 of 3)"
    wait_counter(page, 4)
    page.wait_for_function("() => window.backpropLab.charts.output.drawn?.values?.length > 0")
    page.eval_on_selector("#replay-slider", "el => { el.value = 0; el.dispatchEvent(new Event('input')); }")
    assert page.inner_text("#replay-step") == "step 1 (1 of 3)"
    wait_counter(page, 1)
    page.click("#replay-close")
