"""The setup fields show the value in force, with the reason beside a field when a value is not
taken (issue 13, point 6), and switching the data switches the loss to one that fits it, saying
so, instead of being refused (point 7)."""
from labpage import state, unfold, wait_state

LEARNING_RATE = "[data-field='training.learning_rate']"


def message_beside(page, path: str) -> str:
    """The message beside the field of `path` (waited for)."""
    selector = f".field:has([data-field='{path}']) > [data-testid=field-message]"
    page.wait_for_selector(selector)
    return page.inner_text(selector)


def messages(page) -> list:
    """Every field message shown: [[path, text, is_error]]."""
    return page.eval_on_selector_all("[data-testid=field-message]", """ms => ms.filter((m) => m.offsetParent).map((m) => [
        m.parentElement.querySelector('[data-field]').dataset.field, m.textContent, m.classList.contains('error')])""")


def pressed_datasets(page) -> list:
    return page.eval_on_selector_all(".thumb[aria-pressed=true]", "bs => bs.map((b) => b.dataset.dataset)")


def toasts(page) -> list:
    return page.eval_on_selector_all("[data-testid=toast]", "ts => ts.map((t) => [t.textContent, t.classList.contains('error')])")


# ---- 6. a field shows the value in force, with the message beside it ---------------------------
def test_a_refused_number_confirmed_with_enter_shows_the_value_in_force(page):
    field = page.locator(LEARNING_RATE)
    field.fill("-5")
    field.press("Enter")
    text = message_beside(page, "training.learning_rate")
    assert text == "must be greater than 0.0 (got -5); still 0.03", text
    assert field.input_value() == "0.03"
    assert page.evaluate("() => document.activeElement.dataset.field") == "training.learning_rate"  # still there
    assert state(page, "s.config.training.learning_rate") == 0.03
    assert messages(page) == [["training.learning_rate", text, True]]

    # a value that is taken takes the message down
    field.fill("0.1")
    field.press("Enter")
    wait_state(page, "s.config.training.learning_rate === 0.1")
    page.wait_for_selector("[data-testid=field-message]", state="detached")
    assert field.input_value() == "0.1"


def test_a_field_left_without_a_number_shows_the_value_in_force(page):
    field = page.locator(LEARNING_RATE)
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("abc")
    page.keyboard.press("Tab")
    text = message_beside(page, "training.learning_rate")
    assert text == "needs a number; still 0.03", text
    assert field.input_value() == "0.03"
    assert state(page, "s.config.training.learning_rate") == 0.03

    unfold(page, "more-data")
    seed = page.locator("[data-field='seed']")  # a whole number
    seed.fill("2.5")
    seed.press("Tab")
    assert message_beside(page, "seed") == "must be a whole number (got 2.5); still 0"
    assert seed.input_value() == "0"
    assert [m[0] for m in messages(page)] == ["seed"]  # the learning rate's message went


def test_a_refused_choice_says_why_beside_its_field(page):
    """A value the server refuses by combination (three classes with bce, sent as a configure)
    is named beside the field at fault, which shows the value in force."""
    page.click("[data-dataset=spiral]")
    wait_state(page, "s.config.dataset.name === 'spiral'")
    page.evaluate("() => window.backpropLab.transport.configure({training: {loss: 'bce'}, dataset: {n_classes: 3}})")
    text = message_beside(page, "training.loss")
    assert text == "bce separates two classes; 3 need cross_entropy; still bce", text
    assert page.input_value("[data-field='training.loss']") == "bce"


# ---- 7. switching the data switches the loss --------------------------------------------------
def test_switching_to_a_regression_set_switches_the_loss_and_says_so(page, catalog):
    assert catalog["defaults"]["training"]["loss"] == "bce"
    run = state(page, "s.run")
    page.click("[data-dataset=plane]")
    wait_state(page, "s.config.dataset.name === 'plane' && s.run > arg", run)
    assert state(page, "s.config.training.loss") == "mse"
    assert page.input_value("[data-field='training.loss']") == "mse"
    assert messages(page) == [["training.loss", "now mse: plane is a regression set, which bce cannot fit", False]]
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=toast]'))"
                           ".some((t) => t.textContent.startsWith('Loss now mse'))")
    assert ["Loss now mse: plane is a regression set, which bce cannot fit", False] in toasts(page)
    assert not [t for t in toasts(page) if t[1]], toasts(page)  # nothing refused
    assert pressed_datasets(page) == ["plane"]
    assert page.evaluate("() => document.activeElement.dataset.dataset") == "plane"  # the one focused is the one chosen
    note = page.inner_text("[data-testid=output-note]")
    assert "the colour is the value" in note and "target value" in note and "class" not in note, note

    # another regression set keeps mse (no note); a classification set brings the default loss back
    page.click("[data-dataset=multigauss]")
    wait_state(page, "s.config.dataset.name === 'multigauss'")
    assert state(page, "s.config.training.loss") == "mse" and messages(page) == []
    page.click("[data-dataset=circle]")
    wait_state(page, "s.config.dataset.name === 'circle'")
    assert state(page, "s.config.training.loss") == "bce"
    assert messages(page) == [["training.loss", "now bce: circle is a classification set", False]]
    assert page.inner_text("[data-testid=output-note]").endswith("orange and blue are the two classes.")


def test_more_classes_than_the_loss_separates_switch_it_and_fewer_keep_it(page):
    page.click("[data-dataset=spiral]")
    wait_state(page, "s.config.dataset.name === 'spiral'")
    classes = page.locator("[data-field='dataset.n_classes']")
    classes.fill("3")
    classes.press("Enter")
    wait_state(page, "s.config.dataset.n_classes === 3")
    assert state(page, "s.config.training.loss") == "cross_entropy"
    assert messages(page) == [["training.loss", "now cross entropy: bce separates 2 classes, not 3", False]]
    assert page.inner_text("[data-testid=output-note]").endswith("each colour is one of the 3 classes.")
    # a two-class set: the classes come down to its most, and cross_entropy still fits
    page.click("[data-dataset=circle]")
    wait_state(page, "s.config.dataset.name === 'circle'")
    assert state(page, "s.config.dataset.n_classes") == 2
    assert state(page, "s.config.training.loss") == "cross_entropy"
    assert messages(page) == []  # the classes field is hidden for a two-class set: the toast says it
    assert ["Classes now 2: circle has at most 2 classes", False] in toasts(page)
