"""The network view and the step-through draw each layer by its kind's view (static/js/layers/):
dense layers as columns with their W as links, batch norm as a tag on the column it normalizes,
and a kind the page has no view for as a plain labelled column, not a crash."""

from labpage import state, wait_state

SCENE = """async (layers) => {
    const { networkScene } = await import('/js/charts/networkscene.js');
    const detail = { layers: layers.map((l) => (l.kind === 'dense'
        ? { weights: { shape: [l.fan_in, l.fan_out], values: Array.from({ length: l.fan_in }, (_, r) =>
              Array.from({ length: l.fan_out }, (_, c) => r - c + 0.5)) },
            neuron_act: Array(l.fan_out).fill(0.25) }
        : {})) };
    const scene = networkScene(layers, detail, [{ name: 'x1', label: 'x₁', row: 0 }, { name: 'x2', label: 'x₂', row: 1 }], { mode: 'weights', neuronMode: 'neuron_act' });
    return { labels: scene.labels.map((l) => l.text), units: scene.columns.map((c) => c.units),
             links: scene.links.map((l) => [l.cd, l.text.split('\\n')[0]]) };
}"""


def dense(name, fan_in, fan_out, activation="tanh"):
    return {"name": name, "kind": "dense", "fan_in": fan_in, "fan_out": fan_out, "activation": activation}


def test_dense_and_batch_norm_columns(page):
    layers = [dense("dense1", 2, 3), {"name": "bn1", "kind": "batch_norm"}, dense("dense2", 3, 1, "linear")]
    scene = page.evaluate(SCENE, layers)
    assert scene["labels"] == ["inputs", "dense1+BN\ntanh", "dense2"]
    assert scene["units"] == [2, 3, 1]
    assert [cd for cd, _ in scene["links"]] == [[0, r, c] for r in range(2) for c in range(3)] + [[2, r, 0] for r in range(3)]
    assert scene["links"][0][1] == "dense1 W[0, 0]"


def test_a_kind_without_a_view_is_a_plain_labelled_column(page):
    layers = [dense("dense1", 2, 3), {"name": "conv1", "kind": "conv2d", "fan_out": 3}, dense("dense2", 3, 1, "linear")]
    scene = page.evaluate(SCENE, layers)
    assert scene["labels"] == ["inputs", "dense1\ntanh", "conv1\nconv2d", "dense2"]
    assert scene["units"] == [2, 3, 3, 1]
    assert {cd[0] for cd, _ in scene["links"]} == {0, 2}  # only the dense layers' weights are links


# The step-through's heatmaps, in the order they were written out before the layer views existed.
TENSOR_ORDER = ["x", "x_hat", "z", "a", "output", "losses", "dout", "da", "dz", "dW", "db", "dgamma", "dbeta", "dx"]


def test_the_step_through_shows_each_kinds_tensors(page):
    """With batch norm, each phase's heatmaps are its tensors in the fixed order (x_hat and dγ, dβ
    from the batch-norm view), and the update shows each layer's first parameter (W, gamma)."""
    page.evaluate("() => window.backpropLab.transport.configure({network: {batch_norm: true}})")
    wait_state(page, "s.config.network.batch_norm === true && s.layers.some((l) => l.kind === 'batch_norm')")
    seen = set()
    while "update" not in seen:
        count = state(page, "document.querySelectorAll('#phase-readout div').length")
        page.click("[data-action=phase]")
        wait_state(page, "document.querySelectorAll('#phase-readout div').length === arg + 1", count)
        phase = state(page, "({phase: s.phase.phase, names: Object.keys(s.phase.tensors)})")
        shown = page.evaluate("() => window.backpropLab.charts.phase.shown")
        if phase["phase"] == "update":
            expected = [n for n in phase["names"] if n.endswith((".W", ".gamma"))][:5]
        else:
            expected = [n for n in TENSOR_ORDER if n in phase["names"]][:5]
        assert shown == expected, phase
        seen.update([phase["phase"]] + shown)
    assert {"x_hat", "dgamma"} <= seen, seen
