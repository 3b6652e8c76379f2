"""What a new run leaves of the old one (issue 13, points 3 to 5): the step-through empties, the
divergence banner goes with its run (and Play or Step on a diverged run say why nothing happens),
and the ghost overlay has its own off switch once the replay bar is gone."""
import pytest

from labpage import LOSS_LINES, ghost_of_an_earlier_run, loss_chart, run_steps, state, unfold, wait_state

# A net that diverges within 50 steps, in its forward pass (tests/browser/test_preset_page.py, 3).
DIVERGING = {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 20, "init": "normal", "init_gain": 5.0},
             "training": {"learning_rate": 10.0}}
# A net whose first step overflows Adam's squared-gradient average (float32): clipping lets it through.
DIVERGING_IN_THE_UPDATE = {"dataset": {"name": "plane"},
                           "network": {"hidden": [{"units": 8, "activation": "linear"}] * 8, "init": "normal",
                                       "init_gain": 5.0},
                           "training": {"loss": "mse", "optimizer": "adam", "learning_rate": 0.01, "dtype": "float32"}}


def new_run(page, how: str) -> None:
    """Start a new run as a person does: `add-layer` (a rebuild), `preset` or `reset`; wait for it."""
    run = state(page, "s.run")
    if how == "add-layer":
        page.click("[data-action=add-layer]")
    elif how == "preset":
        page.select_option("#preset", index=1)
    else:
        page.click("[data-action=reset]")
    wait_state(page, "s.run > arg && s.step === 0", run)


def step_through_shown(page) -> dict:
    """What the step-through panel shows: {chart (visible), log (lines), explain (text)}."""
    return {"chart": page.is_visible("#chart-phase"),
            "log": page.eval_on_selector_all("#phase-readout > div", "d => d.map((e) => e.textContent)"),
            "explain": page.inner_text("#explain")}


# ---- 3. the step-through empties with a new run -----------------------------------------------
@pytest.mark.parametrize("how", ["add-layer", "preset", "reset"])
def test_a_new_run_empties_the_step_through(page, how):
    run_steps(page, 2)
    page.evaluate("() => window.backpropLab.transport.send('explain', {layer: 0, row: 0, column: 0, example: 0})")
    page.wait_for_function("() => document.querySelector('#explain').dataset.terms !== undefined")
    for k in range(3):  # forward through the first layers of step 3
        page.click("[data-action=phase]")
        page.wait_for_function("n => document.querySelectorAll('#phase-readout > div').length === n", arg=k + 1)
    shown = step_through_shown(page)
    assert shown["chart"] and len(shown["log"]) == 3 and shown["log"][0].startswith("step 2 → 3 · forward")
    assert "W[0, 0]" in shown["explain"]

    new_run(page, how)
    page.wait_for_function("() => document.querySelector('#phase-readout').childElementCount === 0")
    assert step_through_shown(page) == {"chart": False, "log": [], "explain": ""}
    assert page.get_attribute("#explain", "data-terms") is None
    # the next Phase shows the new run's first phase
    page.click("[data-action=phase]")
    page.wait_for_function("() => document.querySelectorAll('#phase-readout > div').length === 1")
    shown = step_through_shown(page)
    assert shown["chart"] and shown["log"][0].startswith("step 0 → 1 · forward") and shown["explain"] == ""


# ---- 4. the divergence banner goes with its run -----------------------------------------------
def diverge(page, config=DIVERGING) -> dict:
    """Configure a diverging net and step until a step is refused; returns the divergence."""
    run = state(page, "s.run")
    page.evaluate("c => window.backpropLab.transport.configure(c)", config)
    wait_state(page, "s.run > arg.run && s.config.network.init_gain === 5 && s.layers.length === arg.layers",
               {"run": run, "layers": len(config["network"]["hidden"]) + 1})
    page.evaluate("() => window.backpropLab.transport.step(50)")
    wait_state(page, "s.status === 'diverged' && s.diverged !== null")
    page.wait_for_selector("#banner.error")
    return state(page, "s.diverged")


def test_play_and_step_after_divergence_say_why_nothing_happens(page):
    """The net diverges in its forward pass: the weights kept overflow, so only a new run helps."""
    diverged = diverge(page)
    assert diverged["phase"] == "forward"
    assert page.inner_text("#banner").startswith(f"Diverged at step {diverged['step']}: ")
    for action in ("play", "step"):
        toasts = page.locator("[data-testid=toast]", has_text="refused again")
        before = toasts.count()
        page.click(f"[data-action={action}]")
        page.wait_for_function("n => Array.from(document.querySelectorAll('[data-testid=toast]'))"
                               ".filter((t) => t.textContent.includes('refused again')).length > n", arg=before)
        toast = toasts.last.inner_text()
        assert toast == f"Step {diverged['step']} was refused again: its weights already overflow. Reset for a new run."
        assert page.inner_text("#banner") == (
            f"Step {diverged['step']} was refused again: a non-finite value appeared in {diverged['where']}, computed "
            "from the weights kept before it, so running it again cannot help. Reset for a new run (and lower the "
            "learning rate or turn on gradient clipping first, or it diverges too).")
        assert page.is_visible("#banner.error")
        assert state(page, "s.status") == "diverged" and state(page, "s.diverged.step") == diverged["step"]


def test_a_step_that_goes_through_after_divergence_ends_it(page):
    """The update overflowed: Step again says what to do; done (clipping on), the step goes through
    and the divergence is over."""
    diverged = diverge(page, DIVERGING_IN_THE_UPDATE)
    assert (diverged["step"], diverged["phase"]) == (1, "update")
    page.click("[data-action=step]")
    page.wait_for_selector("[data-testid=toast]:has-text('refused again')")
    assert page.locator("[data-testid=toast]", has_text="refused again").last.inner_text() == \
        "Step 1 was refused again: lower the learning rate or turn on gradient clipping, or Reset."
    assert page.inner_text("#banner") == (
        f"Step 1 was refused again: a non-finite value appeared in {diverged['where']}; the weights stay as they "
        "were. To go on, lower the learning rate or turn on gradient clipping, then Play or Step again; or Reset for "
        "a new run.")
    run = state(page, "s.run")
    unfold(page, "more-training")  # clipping sits under the training group's "more"
    page.select_option("[data-field='training.clip']", "norm")
    wait_state(page, "s.config.training.clip === 'norm'")
    page.click("[data-action=step]")
    wait_state(page, "s.step === 1")
    wait_state(page, "s.status === 'paused' && s.diverged === null")
    assert state(page, "s.run") == run  # the same run went on
    page.wait_for_selector("#banner", state="hidden")
    assert page.inner_text("#status") == "paused"


@pytest.mark.parametrize("how", ["add-layer", "preset", "reset"])
def test_a_new_run_takes_the_divergence_banner_down(page, how):
    diverge(page)
    assert page.is_visible("#banner")
    new_run(page, how)
    wait_state(page, "s.diverged === null && s.status === 'paused'")
    page.wait_for_selector("#banner", state="hidden")
    assert page.inner_text("#status") == "paused"


def test_another_banner_stays_when_the_divergence_ends(page):
    """Only the divergence's banner goes with it: a later banner about something else stays."""
    diverge(page)
    page.evaluate("async () => (await import('/js/notices.js')).banner('Paused: no activity for a while.')")
    new_run(page, "reset")
    wait_state(page, "s.diverged === null")
    assert page.is_visible("#banner") and page.inner_text("#banner") == "Paused: no activity for a while."


# ---- 5. the ghost overlay has its own off switch ----------------------------------------------
def ghost_lines(page) -> list:
    return [t for t in loss_chart(page) if t["name"].startswith("ghost")]


def wait_ghost_drawn(page, drawn: bool, steps: int) -> None:
    """Wait until the loss chart shows the live run's `steps` steps, with or without a ghost."""
    page.wait_for_function(f"""arg => {{ const d = {LOSS_LINES};
        return d.length && d[0].x.length === arg.steps && d.some((t) => t.name.startsWith('ghost')) === arg.drawn; }}""",
                           arg={"drawn": drawn, "steps": steps})


def test_the_ghost_overlay_turns_off_after_the_replay_bar_is_gone(page, tmp_path):
    assert page.is_hidden("[data-testid=ghost-option]")  # no ghost chosen: no switch
    path = ghost_of_an_earlier_run(page, tmp_path)
    wait_ghost_drawn(page, True, 4)
    option = page.locator("[data-testid=ghost-option]")
    assert option.is_visible() and option.inner_text().strip() == f"overlay {path.name}"
    assert page.is_checked("#ghost-shown")

    page.uncheck("#ghost-shown")  # off: the loss chart loses the ghost, and later runs have none
    wait_ghost_drawn(page, False, 4)
    assert state(page, "s.ghost") is None and not page.is_checked("#ghost-toggle")
    run_steps(page, 3)
    wait_ghost_drawn(page, False, 7)
    assert option.is_visible()  # the switch stays, to turn it back on

    page.check("#ghost-shown")
    wait_ghost_drawn(page, True, 7)
    ghost = ghost_lines(page)
    assert len(ghost) == 1 and path.name in ghost[0]["name"] and ghost[0]["x"] == list(range(1, 13))
