"""Teacher mode (issue 17, point 8): a lesson link (#preset=ID&hide=…&lock=setup) opens the preset
with the parts it names hidden and nothing else, the setup read-only when it locks it, and the
page still trains; "Share as lesson" makes such a link from the page."""
import json
import re
from pathlib import Path
from urllib.parse import unquote

from engine.config import merge
from labpage import open_page, run_steps, state, wait_state

PAGE = (Path(__file__).resolve().parents[2] / "static" / "index.html").read_text(encoding="utf-8")
PANELS = re.findall(r'<div class="panel" id="panel-[a-z]+" data-part="([a-z]+)"', PAGE)
CONTROLS = ["setup", "more", "presets", "badges", "speed", "files"]
INSTRUMENTS = {"gradcheck", "line", "sharpness"}  # panels in the instruments' fold, closed until opened
# every part of the page and whether the lesson hid it (its own display, so a part inside a hidden
# part, as the "more" folds in the setup column, reads as not hidden by the lesson)
PARTS = """() => [...document.querySelectorAll('[data-part]')].map((e) =>
    [e.dataset.part, getComputedStyle(e).display === 'none'])"""
SETUP_CONTROLS = ".controls :is(input, select, button)"
SEQUENCE_PANELS = {"predictions", "unrolled", "gradtime", "eigen"}  # shown for sequence runs only (sequencepanels.js)


def lesson_params(url: str) -> dict:
    """The lesson link's hash parameters: {name: decoded value}."""
    return {k: unquote(v) for k, v in (p.split("=", 1) for p in url.split("#", 1)[1].split("&"))}


def parts(page) -> dict:
    """{part name: [hidden, ...]}, one entry per element of that part."""
    found = {}
    for name, hidden in page.evaluate(PARTS):
        found.setdefault(name, []).append(hidden)
    return found


def wait_preset(page, catalog, preset_id: str) -> dict:
    """Wait until the page's config is the preset's and its note is up; returns the preset."""
    preset = next(p for p in catalog["presets"] if p["id"] == preset_id)
    wait_state(page, "JSON.stringify(s.config) === JSON.stringify(arg) && s.status === 'paused'", preset["full_config"])
    page.wait_for_selector(f"#preset-note[data-preset='{preset_id}']", state="visible")
    return preset


def test_every_part_of_the_page_is_named_and_every_panel_is_one():
    assert set(PANELS) == {"network", "flow", "output", "loss", "phase", "ratio", "saturated", "dead", "clip",
                           "distributions"} | SEQUENCE_PANELS | INSTRUMENTS
    assert set(re.findall(r'data-part="([a-z]+)"', PAGE)) == set(PANELS) | set(CONTROLS) - {"more"}  # folds: built


def test_a_lesson_link_hides_what_it_says_and_nothing_else_and_the_page_trains(context, base_url, page_log, catalog):
    hide = ["output", "phase", "distributions", "clip", "setup", "badges"]
    page = open_page(context, f"{base_url}#preset=deep-sigmoid&hide={','.join(hide)}", page_log)
    wait_preset(page, catalog, "deep-sigmoid")
    shown = parts(page)
    assert set(shown) == set(PANELS) | set(CONTROLS)
    for name, hidden in shown.items():
        assert hidden == [name in hide or name in SEQUENCE_PANELS] * len(hidden), name
    for name in set(PANELS) - set(hide) - SEQUENCE_PANELS - INSTRUMENTS:
        assert page.is_visible(f"[data-part={name}]"), name
    for name in hide:
        assert page.is_hidden(f"[data-part={name}]"), name
    assert state(page, "s.lesson") == {"hide": hide, "lock": []}
    # nothing is locked: the preset menu is there and works
    assert page.is_enabled("#preset")
    # the page trains: Play, and the step counter and the gradient-flow chart move on
    page.click("[data-action=play]")
    wait_state(page, "s.step >= 40", timeout=30_000)
    page.click("[data-action=pause]")
    wait_state(page, "s.status === 'paused'")
    step = state(page, "s.step")
    page.wait_for_function("n => window.backpropLab.charts.flowmap.x.at(-1) === n", arg=step)
    assert int(page.inner_text("#step").replace(",", "")) == step


def test_a_locked_lesson_shows_its_setup_read_only_and_still_trains(context, base_url, page_log, catalog):
    page = open_page(context, f"{base_url}#preset=large-init&lock=setup", page_log)
    preset = wait_preset(page, catalog, "large-init")
    assert all(not hidden for name, hidden_list in parts(page).items() if name not in SEQUENCE_PANELS
               for hidden in hidden_list)  # nothing hidden (but the sequence panels, on points)
    assert page.eval_on_selector_all(SETUP_CONTROLS, "cs => cs.length > 20 && cs.every((c) => c.disabled)")
    assert page.is_disabled("#preset")
    assert page.inner_text("#setup-replay-note") == "This lesson's setup is fixed: its controls are read-only."
    assert page.input_value("[data-field='training.learning_rate']") == str(preset["full_config"]["training"]["learning_rate"])
    page.click("[data-action=preset-run]")  # the note's "Run 60 steps" is training, not setup: it works
    wait_state(page, "s.step === arg && s.status === 'paused'", preset["steps"], timeout=20_000)
    run_steps(page, 5)
    assert page.eval_on_selector_all(SETUP_CONTROLS, "cs => cs.every((c) => c.disabled)")  # still locked


def test_share_as_lesson_makes_the_link_that_opens_the_reduced_page(context, base_url, page_log, catalog):
    page = open_page(context, base_url, page_log)
    page.select_option("#preset", "dead-relu")
    preset = wait_preset(page, catalog, "dead-relu")
    page.fill("[data-field='training.learning_rate']", "0.5")  # the teacher's own tweak of the preset
    page.press("[data-field='training.learning_rate']", "Enter")
    wait_state(page, "s.config.training.learning_rate === 0.5")
    page.click("[data-action=share-lesson]")
    page.wait_for_selector("#lesson-dialog", state="visible")
    # the panels the preset is not about start ticked to hide
    ticked = page.eval_on_selector_all("#lesson-dialog [data-hide]", "cs => cs.filter((c) => c.checked).map((c) => c.dataset.hide)")
    assert ticked == [name for name in PANELS if name not in preset["panels"] and name not in SEQUENCE_PANELS]
    page.check("#lesson-dialog [data-hide=setup]")
    page.check("#lesson-dialog [data-lock=setup]")
    page.uncheck("#lesson-dialog [data-hide=ratio]")
    link = page.input_value("[data-testid=lesson-link]")
    hide = [name for name in PANELS if name not in preset["panels"] and name != "ratio" and name not in SEQUENCE_PANELS] + ["setup"]
    params = lesson_params(link)
    assert params["preset"] == "dead-relu" and params["hide"] == ",".join(hide) and params["lock"] == "setup"
    assert json.loads(params["config"])["training"]["learning_rate"] == 0.5
    assert page.get_attribute("#lesson-open", "href") == link
    page.click("#lesson-close")
    assert page.is_hidden("#lesson-dialog")

    student = open_page(context, link, page_log)
    expected = merge(catalog["defaults"], json.loads(params["config"]))
    wait_state(student, "JSON.stringify(s.config) === JSON.stringify(arg)", expected)
    assert expected["training"]["learning_rate"] == 0.5 and expected == {**preset["full_config"], "training": {
        **preset["full_config"]["training"], "learning_rate": 0.5}}
    student.wait_for_selector("#preset-note[data-preset='dead-relu']", state="visible")
    for name, hidden in parts(student).items():
        assert hidden == [name in hide or name in SEQUENCE_PANELS] * len(hidden), name  # a points run has no sequence panel
    assert student.is_disabled("#preset")
    run_steps(student, 10)


def offered_panels(page) -> list:
    """Open "Share as lesson" and read the panels it offers to hide; closes it again."""
    page.click("[data-action=share-lesson]")
    page.wait_for_selector("#lesson-dialog", state="visible")
    offered = page.eval_on_selector_all("#lesson-panels [data-hide]", "cs => cs.map((c) => c.dataset.hide)")
    page.click("#lesson-close")
    assert page.is_hidden("#lesson-dialog")
    return offered


def test_share_as_lesson_offers_only_the_panels_the_setups_input_kind_has(context, base_url, page_log):
    page = open_page(context, base_url, page_log)
    assert offered_panels(page) == [name for name in PANELS if name not in SEQUENCE_PANELS]  # points: no sequence panel
    page.click("[data-dataset=remember_first]")
    wait_state(page, "s.config.dataset.name === 'remember_first' && s.layers[0]?.kind === 'lstm'")
    assert offered_panels(page) == [name for name in PANELS if name != "output"]  # sequences: no output plane
    page.click("[data-dataset=moons]")
    wait_state(page, "s.config.dataset.name === 'moons' && s.layers[0]?.kind === 'dense'")
    assert "output" in offered_panels(page)


def test_a_lesson_link_naming_an_unknown_part_says_so_and_applies_the_rest(context, base_url, page_log):
    page = open_page(context, f"{base_url}#hide=loss,sidebar&lock=everything", page_log)
    assert page.inner_text("#banner").startswith(
        'The lesson link names what this page does not have (hide "sidebar", lock "everything"); the rest of the lesson applies.')
    assert page.is_hidden("#panel-loss")
    assert page.is_visible("#panel-output")
    assert page.is_enabled("[data-field='training.learning_rate']")
