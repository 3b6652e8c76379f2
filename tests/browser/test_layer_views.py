"""The network view draws each layer by its kind's view (static/js/layers/): dense layers as columns
with their W as links, batch norm as a tag on the column it normalizes, and a kind the page has no
view for as a plain labelled column, not a crash."""

SCENE = """async (layers) => {
    const { networkScene } = await import('/js/charts/networkscene.js');
    const detail = { layers: layers.map((l) => (l.kind === 'dense'
        ? { weights: { shape: [l.fan_in, l.fan_out], values: Array.from({ length: l.fan_in }, (_, r) =>
              Array.from({ length: l.fan_out }, (_, c) => r - c + 0.5)) },
            neuron_act: Array(l.fan_out).fill(0.25) }
        : {})) };
    const scene = networkScene(layers, detail, ['x₁', 'x₂'], { mode: 'weights', neuronMode: 'neuron_act' });
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
    layers = [dense("dense1", 2, 3), {"name": "rnn1", "kind": "rnn", "fan_out": 3}, dense("dense2", 3, 1, "linear")]
    scene = page.evaluate(SCENE, layers)
    assert scene["labels"] == ["inputs", "dense1\ntanh", "rnn1\nrnn", "dense2"]
    assert scene["units"] == [2, 3, 3, 1]
    assert {cd[0] for cd, _ in scene["links"]} == {0, 2}  # only the dense layers' weights are links
