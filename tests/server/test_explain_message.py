"""The `explain` message over /ws: any parameter by `param` and `index` (or a W by row and column),
answered field by field from the engine, and refused with an error naming what is wrong."""
import pytest

from engine import Trainer

BN = {"seed": 1, "network": {"hidden": [{"units": 3, "activation": "tanh"}], "batch_norm": True}}


@pytest.fixture
def bn_conv(connect):
    with connect() as conversation:
        conversation.send({"type": "configure", "config": BN, "id": 1})
        conversation.expect("config", id=1, reset=True)
        conversation.until(lambda m: m["type"] == "frame")
        conversation.step(2)
        yield conversation


def engine_twin(steps=2) -> Trainer:
    trainer = Trainer(BN)
    trainer.run(steps)
    return trainer


def test_a_weight_by_row_and_column_as_before(bn_conv):
    bn_conv.send({"type": "explain", "layer": 0, "row": 1, "column": 2, "example": 3, "id": 7})
    reply = bn_conv.expect("explain", id=7, layer=0, layer_name="dense1", param="W", index=[1, 2],
                           row=1, column=2, example=3, step=2, complete=True, applied=True)
    expected = engine_twin().explain(0, (1, 2), 3, "W")
    for field in ("a", "delta", "terms", "sum", "mean", "grad", "penalty", "clip", "update"):
        assert reply[field] == expected[field], field


def test_batch_norms_gamma_by_param_and_index(bn_conv):
    bn_conv.send({"type": "explain", "layer": 1, "param": "gamma", "index": [2], "id": 8})
    reply = bn_conv.expect("explain", id=8, layer_name="bn1", param="gamma", index=[2])
    assert "row" not in reply and reply["penalty"]["l1"] == 0.0
    assert reply["grad"] == engine_twin().explain(1, (2,), 0, "gamma")["grad"]
    assert reply["mean"] == pytest.approx(reply["grad"], rel=1e-12)


@pytest.mark.parametrize("message, error", [
    ({"layer": 1, "param": "W", "index": [0]}, "explain: bn1 has no parameter 'W'; it has gamma, beta"),
    ({"layer": 0, "param": "b", "index": [3]}, "explain: dense1.b has shape (3); no element at (3)"),
    ({"layer": 5, "index": [0]}, "explain: there is no layer 5; the network has 3"),
])
def test_a_missing_element_is_named(bn_conv, message, error):
    bn_conv.send({"type": "explain", "id": 9, **message})
    bn_conv.expect("error", id=9, message=error, field=None)


@pytest.mark.parametrize("message, error", [
    ({"layer": 0}, "explain: name the element by index (or by row and column)"),
    ({"layer": 0, "row": 1}, "explain: row and column come together"),
    ({"layer": 0, "row": 1, "column": 0, "index": [1, 0]},
     "explain: name the element by index or by row and column, not both"),
])
def test_an_element_named_twice_or_not_at_all_is_refused(bn_conv, message, error):
    bn_conv.send({"type": "explain", "id": 10, **message})
    bn_conv.expect("error", id=10, message=error, field=None)
    bn_conv.send({"type": "explain", "layer": 0, "index": [0, 0], "id": 11})  # still serving
    bn_conv.expect("explain", id=11)
