"""Until the page draws images (issue 15, the page's part), it offers only the sets whose input kind
it draws: the catalog lists the image sets, the dataset picker does not, and the classes field
keeps a points set's own bound although the config's schema allows an image set's ten."""
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
