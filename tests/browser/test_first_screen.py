"""The first screen tells the story (issue 17, point 1): at 1440×900 the data, the network, the
output and the gradient flow are on screen without scrolling, with Play; the settings a beginner
rarely needs fold away under a "more" per group until opened, and work once opened."""
import pytest

from labpage import open_page, run_steps, state, unfold, wait_state

WIDTH, HEIGHT = 1440, 900
STORY = {"data": "#group-data", "network": "#panel-network", "output": "#panel-output",
         "gradient flow": "#panel-flow", "play": "[data-action=play]"}
# each group's "more" and the fields it folds away
FOLDED = {
    "more-data": ["dataset.n_samples", "seed"],
    "more-network": ["network.init_gain", "network.bias_init", "network.dropout"],
    "more-training": ["training.l1", "training.l2", "training.clip", "training.dtype"],
}
# what a beginner sets, never folded
AT_HAND = ["dataset.noise", "dataset.train_fraction", "training.loss", "training.optimizer",
           "training.learning_rate", "training.batch_size", "network.init"]


@pytest.fixture
def first_screen(browser, base_url, page_log):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    yield open_page(context, base_url, page_log)
    context.close()


def box(page, selector: str) -> dict:
    return page.eval_on_selector(selector, """e => { const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }""")


def shown(page, path: str) -> bool:
    return page.is_visible(f"[data-field='{path}']")


def test_the_story_is_on_the_first_screen_without_scrolling(first_screen):
    page = first_screen
    run_steps(page, 20)  # drawn panels, as a person sees them after a few steps
    assert page.evaluate("() => [scrollX, scrollY]") == [0, 0]
    for name, selector in STORY.items():
        b = box(page, selector)
        assert b["left"] >= 0 and b["top"] >= 0 and b["right"] <= WIDTH and b["bottom"] <= HEIGHT, (name, b)
    # left to right: data, then the network over the gradient flow, then the output
    assert box(page, "#group-data")["right"] <= box(page, "#panel-network")["left"]
    assert box(page, "#panel-network")["bottom"] <= box(page, "#panel-flow")["top"]
    assert box(page, "#panel-network")["right"] <= box(page, "#panel-output")["left"]
    # each panel of the story says in plain words what it is
    assert page.inner_text("#panel-network h2 .caption") == "the model being trained: inputs left, prediction right"
    assert page.inner_text("#panel-flow h2 .caption") == "how much each layer learns: the size of its gradient, step by step"


def test_a_presets_note_keeps_the_gradient_flow_on_the_first_screen(first_screen):
    page = first_screen
    page.select_option("#preset", "deep-sigmoid")
    page.wait_for_selector("#preset-note[data-preset='deep-sigmoid']", state="visible")
    wait_state(page, "s.layers.length === 9")
    run_steps(page, 20)
    assert page.evaluate("() => [scrollX, scrollY]") == [0, 0]
    for name, selector in STORY.items():
        b = box(page, selector)
        assert b["top"] >= 0 and b["bottom"] <= HEIGHT, (name, b)
    # the diagram gave up the note's lines, and its layers' two-line labels are still whole
    assert box(page, "#chart-network")["bottom"] - box(page, "#chart-network")["top"] == 185


def test_the_settings_a_beginner_rarely_needs_fold_away_until_more_is_opened(first_screen):
    page = first_screen
    for path in AT_HAND:
        assert shown(page, path), path
    for fold, paths in FOLDED.items():
        assert page.get_attribute(f"#{fold}", "open") is None, fold
        assert page.inner_text(f"#{fold} > summary").startswith("More: "), fold
        for path in paths:
            assert not shown(page, path), path
    unfold(page, "more-training")
    for path in FOLDED["more-training"]:
        assert shown(page, path), path
    for path in FOLDED["more-data"] + FOLDED["more-network"]:
        assert not shown(page, path), path  # one "more" opens its own group's settings only


def test_a_folded_setting_works_once_opened_and_its_fold_says_it_changed(first_screen):
    page = first_screen
    assert page.inner_text("#more-training > summary") == "More: optimizer constants, penalties, clipping, precision"
    unfold(page, "more-training")
    assert not page.is_visible("[data-field='training.clip_threshold']")  # no clipping: no threshold
    page.select_option("[data-field='training.clip']", "norm")
    wait_state(page, "s.config.training.clip === 'norm'")
    assert page.is_visible("[data-field='training.clip_threshold']")
    page.fill("[data-field='training.l2']", "0.001")
    page.press("[data-field='training.l2']", "Enter")
    wait_state(page, "s.config.training.l2 === 0.001")
    # closed again, the fold still says that two of its settings are not the defaults, and which
    page.click("#more-training > summary")
    assert not shown(page, "training.l2")
    assert page.inner_text("#more-training > summary") == \
        "More: optimizer constants, penalties, clipping, precision · 2 changed"
    assert page.get_attribute("#more-training .fold-count", "title") == "Not at the default: training.l2, training.clip"
    assert page.inner_text("#more-data > summary") == "More: samples, seed"  # nothing changed there
    step = run_steps(page, 5)  # and the run trains on with them
    assert state(page, "s.step") == step
