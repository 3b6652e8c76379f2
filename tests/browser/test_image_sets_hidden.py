"""Until the page draws images (issue 15, the page's part), it offers only the sets whose input kind
it draws: the catalog lists the image sets, the dataset picker does not, a layer card never offers
an image kind on points or sequences, and the classes field keeps a points set's own bound
although the config's schema allows an image set's ten."""
from labpage import state, wait_state


def test_the_picker_offers_only_the_input_kinds_the_page_draws(page, catalog):
    images = [d["name"] for d in catalog["choices"]["datasets"] if d["input_kind"] == "image"]
    assert images == ["digits", "bars", "tees"]
    offered = page.eval_on_selector_all("#group-data .thumb", "b => b.map((x) => x.dataset.dataset)")
    drawn = [d["name"] for d in catalog["choices"]["datasets"] if d["input_kind"] in ("points", "sequence")]
    assert offered == drawn and not set(images) & set(offered)
    assert page.evaluate("() => import('./js/inputkind.js').then((m) => m.DRAWN_KINDS)") == ["points", "sequence"]


def test_the_classes_field_is_bounded_by_the_set_in_force(page, catalog):
    schema_max = catalog["schema"]["$defs"]["DatasetConfig"]["properties"]["n_classes"]["maximum"]
    assert schema_max == 10  # an image set's classes
    page.click("[data-dataset=spiral]")
    wait_state(page, "s.config.dataset.name === 'spiral'")
    assert page.get_attribute("[data-field='dataset.n_classes']", "max") == "5"
    assert state(page, "s.config.dataset.n_classes") == 2


def test_a_layer_card_offers_no_image_kind_on_points_or_sequences(page, catalog):
    assert {k["name"] for k in catalog["choices"]["layer_kinds"] if k["image"]} == {"conv2d", "max_pool", "avg_pool"}
    kinds = "s => [...s.options].map((o) => o.value)"
    assert page.eval_on_selector("[data-layer-kind='0']", kinds) == ["dense"]  # points: nothing to choose
    assert page.eval_on_selector("[data-layer-kind='0']", "s => s.hidden") is True
    page.click("[data-dataset=adding]")
    wait_state(page, "s.config.dataset.name === 'adding'")
    page.wait_for_function("() => document.querySelector(\"[data-layer-kind='0']\")?.value === 'lstm'")
    assert page.eval_on_selector("[data-layer-kind='0']", kinds) == ["dense", "rnn", "lstm"]
