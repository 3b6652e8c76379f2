"""The classic-experiment presets and the health badges, in a real browser against a real server:
each preset that shows a problem raises its badge and its `fixed_by` variant does not; momentum
and Adam beat plain SGD; a diverging run names the layer; clicking a badge highlights its layers
in the network view; every badge's tooltip states its threshold and source."""
import json
import re
from pathlib import Path

import pytest

from engine.config import merge
from labpage import state, wait_state

PRESETS = json.loads((Path(__file__).resolve().parents[2] / "engine" / "presets.json").read_text())["presets"]
SHOWING = [p for p in PRESETS if p.get("shows")]  # the presets that demonstrate a badge
OPTIMIZERS = ["optimizer-sgd", "optimizer-momentum", "optimizer-adam"]
# Order-insensitive deep equality of two JSON values, in the page.
SAME = """const same = (a, b) => {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
};"""


# ---- helpers ------------------------------------------------------------------------------------
def preset_of(catalog, preset_id: str) -> dict:
    found = [p for p in catalog["presets"] if p["id"] == preset_id]
    assert found, f"the catalog has no preset {preset_id!r}"
    return found[0]


def config_in_force(page, expected: dict) -> bool:
    return page.evaluate(f"(e) => {{ {SAME} return same(window.backpropLab.getState().config, e); }}", expected)


def load_preset(page, catalog, preset_id: str) -> dict:
    """Choose a preset in #preset; wait until the config in force is the preset's config merged
    into the defaults and a new run stands at step 0. Returns the preset."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    preset = preset_of(catalog, preset_id)
    expected = merge(catalog["defaults"], preset["config"])
    run = state(page, "s.run")
    page.select_option("#preset", preset_id)
    page.wait_for_function(f"(e) => {{ {SAME} return same(window.backpropLab.getState().config, e); }}",
                           arg=expected)
    try:
        wait_state(page, "s.run > arg && s.step === 0 && s.status === 'paused'", run, timeout=5_000)
        fresh = True
    except PlaywrightTimeout:
        fresh = False
    if not fresh:
        now = state(page, "({run: s.run, step: s.step, status: s.status})")
        pytest.fail(f"choosing preset {preset_id!r} put its config in force but started no new run: still "
                    f"run {now['run']} at step {now['step']} ({now['status']}), the run before the choice was "
                    f"{run}; the preset trains on from the previous run's weights")
    assert config_in_force(page, expected)
    # the note names the preset and offers its fixed number of steps
    assert page.get_attribute("#preset-note", "data-preset") == preset_id
    assert page.is_visible("#preset-note")
    assert page.inner_text("[data-action=preset-run]") == f"Run {preset['steps']} steps"
    assert page.input_value("#preset") == ""  # the menu goes back to "choose one…"
    return preset


def run_preset(page, preset: dict) -> None:
    """Click the note's "Run N steps" and wait for the frame answering that `step {count}`."""
    page.click("[data-action=preset-run]")
    wait_state(page, "s.step === arg && s.status === 'paused'", preset["steps"], timeout=180_000)  # sequence presets: a minute
    page.wait_for_function(
        "n => document.querySelector('[data-testid=step]').textContent.replaceAll(',', '') === String(n)",
        arg=preset["steps"])


def assert_loss_scale(page, preset: dict) -> None:
    """The loss chart is on the preset's scale (log where a spike and a plateau must both show)."""
    log = preset.get("loss_scale") == "log"
    assert page.is_checked("#loss-log") == log
    assert state(page, "window.backpropLab.charts.loss.log") == log


def badge(page, rule: str) -> dict:
    """The badge of `rule` as drawn: {status, layers, text, title, pressed}."""
    selector = f"[data-testid=badge-{rule}]"
    page.wait_for_selector(selector, state="attached")
    return page.eval_on_selector(selector, """b => ({status: b.dataset.status,
        layers: b.dataset.layers ? b.dataset.layers.split(',') : [], text: b.textContent, title: b.title,
        pressed: b.getAttribute('aria-pressed')})""")


def badges_match_health(page) -> None:
    """The drawn badges are the latest health's, one per verdict, status and layers alike."""
    drawn = page.eval_on_selector_all("#badges [data-testid^=badge-]", """bs => bs.map((b) => ({
        id: b.dataset.testid.slice(6), status: b.dataset.status,
        layers: b.dataset.layers ? b.dataset.layers.split(',') : []}))""")
    health = state(page, "s.health.map((b) => ({id: b.id, status: b.status, layers: b.layers}))")
    assert drawn == health


def dotted_rects(page) -> list:
    """The network view's dotted highlight rectangles, as [x0, x1]."""
    return page.evaluate("""() => (window.backpropLab.charts.network.scene?.rects || [])
        .filter((r) => r.kind === 'highlight').map((r) => [r.x0, r.x1])""")


# ---- 1. each problem preset raises its badge; its fix does not -------------------------------------
def test_the_presets_that_show_a_badge_each_name_a_fix():
    assert {p["shows"] for p in SHOWING} >= {"vanishing", "exploding", "dead"}
    ids = {p["id"] for p in PRESETS}
    for p in SHOWING:
        assert p.get("fixed_by") in ids, p["id"]
        assert not next(q for q in PRESETS if q["id"] == p["fixed_by"]).get("shows")


@pytest.mark.parametrize("preset_id", [p["id"] for p in SHOWING])
def test_preset_shows_its_badge_and_its_fix_clears_it(page, catalog, preset_id):
    preset = load_preset(page, catalog, preset_id)
    rule = preset["shows"]
    assert_loss_scale(page, preset)
    run_preset(page, preset)
    badges_match_health(page)
    shown = badge(page, rule)
    assert shown["status"] == "warn", f"{preset_id} after {preset['steps']} steps: {rule} is {shown['status']}\n{shown['title']}"

    fix = load_preset(page, catalog, preset["fixed_by"])
    assert_loss_scale(page, fix)
    run_preset(page, fix)
    badges_match_health(page)
    fixed = badge(page, rule)
    assert fixed["status"] != "warn", f"{fix['id']} after {fix['steps']} steps: {rule} still warns\n{fixed['title']}"
    assert fixed["layers"] == []


# ---- 2. momentum and Adam beat plain SGD ----------------------------------------------------------
def test_momentum_and_adam_end_below_plain_sgd(page, catalog):
    losses = {}
    for preset_id in OPTIMIZERS:
        preset = load_preset(page, catalog, preset_id)
        run_preset(page, preset)
        assert state(page, "s.config.training.optimizer") == preset["config"]["training"]["optimizer"]
        losses[preset_id] = state(page, "s.metrics.train_loss")
        assert losses[preset_id] is not None and losses[preset_id] > 0, losses
        assert f"train loss {losses[preset_id]:.4f}" in page.inner_text("#metrics")
    sgd = losses["optimizer-sgd"]
    assert losses["optimizer-momentum"] < sgd, losses
    assert losses["optimizer-adam"] < sgd, losses


# ---- 3. a diverging run names the layer -----------------------------------------------------------
def test_a_diverging_run_shows_the_diverged_badge_naming_the_layer(page):
    partial = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal", "init_gain": 5.0},
               "training": {"learning_rate": 10.0}}
    run = state(page, "s.run")
    assert badge(page, "diverged")["status"] == "unknown"  # no step yet
    page.evaluate("c => window.backpropLab.transport.configure(c)", partial)
    wait_state(page, "s.run > arg.run && s.step === 0 && s.layers.length === 21 "
                     "&& s.config.network.init === 'normal' && s.config.network.init_gain === 5 "
                     "&& s.config.training.learning_rate === 10", {"run": run})
    page.evaluate("() => window.backpropLab.transport.step(50)")
    wait_state(page, "s.status === 'diverged' && s.diverged !== null")
    page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('diverged')")

    diverged = state(page, "s.diverged")
    names = state(page, "s.layers.map((l) => l.name)")
    assert state(page, "s.step") < 50  # the refused step stopped the run
    shown = badge(page, "diverged")
    assert shown["status"] == "warn", shown
    assert len(shown["layers"]) == 1 and re.fullmatch(r"dense\d+", shown["layers"][0]), shown
    layer = shown["layers"][0]
    assert layer in names
    assert layer == diverged["layer_name"]
    assert layer in shown["text"]
    assert layer in shown["title"] and f"step {diverged['step']}" in shown["title"]
    assert page.inner_text("#status") == f"diverged at step {diverged['step']}"
    assert page.get_attribute("#status", "title") == f"a non-finite value appeared in {diverged['where']}"
    assert diverged["where"] == f"{layer}'s {diverged['quantity']} ({diverged['phase']} pass)"
    assert page.inner_text("#banner") == (f"Diverged at step {diverged['step']}: a non-finite value appeared in "
                                         f"{diverged['where']}. The step was refused and the weights kept: "
                                         f"{diverged['advice']}.")
    assert "diverged" in page.get_attribute("#status", "class")


# ---- 4. clicking a badge highlights its layers ----------------------------------------------------
def test_clicking_a_warn_badge_highlights_its_layers_and_again_clears_it(page, catalog):
    preset = load_preset(page, catalog, "deep-sigmoid")
    run_preset(page, preset)
    shown = badge(page, "vanishing")
    assert shown["status"] == "warn" and shown["layers"], shown
    assert state(page, "s.highlight") is None
    assert dotted_rects(page) == []
    page.locator("#panel-network").scroll_into_view_if_needed()

    page.click("[data-testid=badge-vanishing]")
    wait_state(page, "JSON.stringify(s.highlight) === JSON.stringify(arg)", shown["layers"])
    page.wait_for_function("n => (window.backpropLab.charts.network.scene?.rects || [])"
                           ".filter((r) => r.kind === 'highlight').length === n",
                           arg=len(shown["layers"]))
    # the rectangle stands on the highlighted layer's column (dense k is column k: the input is column 0)
    columns = [int(name.removeprefix("dense")) for name in shown["layers"]]
    assert [round((x0 + x1) / 2) for x0, x1 in dotted_rects(page)] == columns
    assert badge(page, "vanishing")["pressed"] == "true"

    page.click("[data-testid=badge-vanishing]")
    wait_state(page, "s.highlight === null")
    page.wait_for_function("() => !(window.backpropLab.charts.network.scene?.rects || [])"
                           ".some((r) => r.kind === 'highlight')")
    assert badge(page, "vanishing")["pressed"] == "false"


# ---- 5. every tooltip states its threshold and source ---------------------------------------------
def threshold_line(title: str) -> str:
    lines = [line for line in title.splitlines() if line.startswith("threshold: ")]
    assert len(lines) == 1, title
    return lines[0]


def test_every_badge_tooltip_states_its_threshold_and_source(page, catalog):
    rules = catalog["health_rules"]
    ids = page.eval_on_selector_all("#badges [data-testid^=badge-]", "bs => bs.map((b) => b.dataset.testid.slice(6))")
    assert ids == list(rules)
    for rule, spec in rules.items():
        shown = badge(page, rule)
        line = threshold_line(shown["title"])
        assert line.endswith(f"({spec['source']})"), (rule, line)
        stated = line.removeprefix("threshold: ").removesuffix(f" ({spec['source']})")
        if isinstance(spec["threshold"], str):
            assert stated == spec["threshold"], (rule, line)
        else:
            expected = spec["threshold"] if isinstance(spec["threshold"], list) else [spec["threshold"]]
            numbers = [float(x) for x in re.findall(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?", stated)]
            assert numbers == pytest.approx(expected, rel=1e-12), (rule, line)
        verdict = {"ok": "not found", "warn": "found", "unknown": "not measured yet"}[shown["status"]]
        assert shown["title"].startswith(f"{spec['label']}: {verdict}")
