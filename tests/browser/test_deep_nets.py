"""Very deep nets on the page (issue 13, point 12): the network view draws the first and last
columns around one slot that stands for the rest and says so, the layer editor shows every
layer's card, and "+ layer" at the limit is disabled and says why."""
import json
from urllib.parse import quote

from labpage import open_page, state, wait_state

EDITOR = "[data-testid=network-editor]"

SCENE = """async ([depth, phase]) => {
    const { networkScene } = await import('/js/charts/networkscene.js');
    const layers = Array.from({ length: depth }, (_, i) => ({ name: `dense${i + 1}`, kind: 'dense',
        fan_in: i ? 2 : 2, fan_out: i === depth - 1 ? 1 : 2, activation: 'tanh' }));
    const detail = { layers: layers.map((l) => ({
        weights: { shape: [l.fan_in, l.fan_out], values: Array.from({ length: l.fan_in }, () => Array(l.fan_out).fill(0.5)) },
        neuron_act: Array(l.fan_out).fill(0.25) })) };
    const scene = networkScene(layers, detail, [{ name: 'x1', label: 'x₁', row: 0 }, { name: 'x2', label: 'x₂', row: 1 }], { mode: 'weights', neuronMode: 'neuron_act', phase });
    return { slots: scene.slots, summary: scene.summary, labels: scene.labels.map((l) => [l.x, l.text]),
             linkLayers: [...new Set(scene.links.map((l) => l.cd[0]))],
             linkXs: scene.links.map((l) => [l.x0, l.x1]), neuronXs: [...new Set(scene.neurons.map((n) => n.x))],
             rects: scene.rects.map((r) => [r.x0, r.x1]), caption: scene.caption };
}"""


def test_a_shallow_net_draws_every_column(page):
    scene = page.evaluate(SCENE, [12, None])  # inputs + 12 layers: 13 columns, the most drawn whole
    assert scene["slots"] == 13
    assert scene["summary"] == ""
    assert scene["linkLayers"] == list(range(12))
    assert scene["neuronXs"] == list(range(13))


def test_a_deep_net_draws_its_ends_around_a_gap_that_says_what_it_hides(page):
    scene = page.evaluate(SCENE, [33, None])  # the lab's deepest: 32 hidden layers and the output
    assert scene["slots"] == 13
    # columns 0..5 (inputs, dense1..dense5) at x 0..5, the gap at 6, dense28..dense33 at x 7..12
    assert scene["summary"] == "dense6 to dense27 (22 of 33 layers) not drawn"
    labels = dict((x, text) for x, text in scene["labels"] if text != "⋯")
    assert labels[0] == "inputs" and labels[5] == "dense5\ntanh" and labels[6] == "22 more"
    assert labels[7] == "dense28\ntanh" and labels[12] == "dense33\ntanh"
    assert [6, "⋯"] in scene["labels"]
    # links only between columns drawn side by side: none into the gap, none across it
    assert scene["linkLayers"] == [0, 1, 2, 3, 4] + list(range(28, 33))
    assert all(x1 == x0 + 1 and x0 != 6 and x1 != 6 for x0, x1 in scene["linkXs"])
    assert scene["neuronXs"] == [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]


def test_a_phase_in_a_hidden_layer_boxes_the_gap(page):
    phase = {"phase": "forward", "layer": 10, "layer_name": "dense11"}
    scene = page.evaluate(SCENE, [33, phase])
    assert scene["rects"] == [[5.5, 6.5]]
    assert scene["caption"] == "forward → dense11"
    drawn = page.evaluate(SCENE, [33, {"phase": "backward", "layer": 30, "layer_name": "dense31"}])
    assert drawn["rects"] == [[9.5, 10.5]]


def test_the_deepest_net_on_the_page(context, base_url, page_log, catalog):
    most = catalog["limits"]["max_hidden_layers"]
    config = {"network": {"hidden": [{"units": 3, "activation": "tanh"}] * (most - 1)}}
    page = open_page(context, f"{base_url}/#config={quote(json.dumps(config))}", page_log)
    wait_state(page, "s.config.network.hidden.length === arg", most - 1)
    assert page.inner_text("[data-testid=hidden-count]") == f"{most - 1} hidden layers"
    assert page.is_enabled("[data-action=add-layer]")

    page.click("[data-action=add-layer]")
    wait_state(page, "s.config.network.hidden.length === arg && s.step === 0", most)
    page.wait_for_function("n => document.querySelectorAll('[data-testid=network-editor] .net-layer').length === n",
                           arg=most)
    assert page.inner_text("[data-testid=hidden-count]") == f"{most} hidden layers (the most: {most})"
    assert page.is_disabled("[data-action=add-layer]")
    assert page.get_attribute("[data-action=add-layer]", "title") == f"{most} hidden layers is the most the lab trains"

    # every card is laid out inside the editor: none hidden in a scroll area
    boxes = page.eval_on_selector(EDITOR, """ed => { const outer = ed.getBoundingClientRect();
        return { overflow: ed.scrollWidth > ed.clientWidth || ed.scrollHeight > ed.clientHeight,
                 inside: Array.from(ed.querySelectorAll('.net-layer'), (c) => { const r = c.getBoundingClientRect();
                     return r.left >= outer.left - 0.5 && r.right <= outer.right + 0.5 && r.width > 0; }) }; }""")
    assert not boxes["overflow"] and len(boxes["inside"]) == most and all(boxes["inside"])
    assert page.inner_text(f"{EDITOR} .net-layer[data-layer='{most - 1}'] .layer-number") == f"layer {most}"

    # the network view summarizes the depth and says so beside it
    summary = f"Summarized: dense6 to dense{most - 5} ({most - 10} of {most + 1} layers) not drawn."
    page.wait_for_function("text => document.querySelector('#network-summary').textContent === text", arg=summary)
    assert state(page, "window.backpropLab.charts.network.scene.slots") == 13

    page.click("[data-action=remove-layer]")
    wait_state(page, "s.config.network.hidden.length === arg", most - 1)
    assert page.is_enabled("[data-action=add-layer]")
