"""A new layer kind needs only its module and a registry line: a test-only `scale` layer
(z = s·x, one parameter) is trained, gradient-checked, explained, exported and replayed
without any engine code knowing it."""
import numpy as np
import pytest

from engine import LAYERS, ConfigError, ExplainError, Trainer, encode, parse_trace, validate_config
from engine.config import hidden_kinds
from engine.layers import WEIGHT, Layer, ParamSpec
from engine.replay import replay

from gradcheck import assert_close_grad, numeric_grad


class Scale(Layer):
    """z = s·x with one scalar parameter s: (B, n) -> (B, n); its cache is x."""
    kind = "scale"

    @classmethod
    def from_config(cls, spec, in_shape, net, ends_sequence=False) -> "Scale":
        return cls(in_shape, in_shape)

    @property
    def params(self) -> tuple:
        return (ParamSpec("s", (1,), WEIGHT),)

    def initialize(self, params, rng, net) -> None:
        params["s"][...] = 1.5

    def forward(self, x, params, mode):
        return params["s"][0] * x, x

    def backward(self, dz, cache, params, grads, need_dx=True):
        grads["s"][0] = np.vdot(cache, dz)
        return dz * params["s"][0] if need_dx else None

    def per_example(self, key, index, cache, dz):
        return {"a": None, "delta": None, "terms": dz.shape[0] * (cache * dz).sum(axis=1)}


CONFIG = {"seed": 4, "dataset": {"name": "circle", "n_samples": 80},
          "network": {"hidden": [{"units": 5, "activation": "tanh"},
                                 {"kind": "scale", "activation": "tanh"},
                                 {"units": 3, "activation": "relu"}], "bias_init": 0.1},
          "training": {"batch_size": 8, "optimizer": "momentum", "l2": 0.01, "clip": "norm"}}


@pytest.fixture
def scale_kind(monkeypatch):
    monkeypatch.setitem(LAYERS, "scale", Scale)


def test_an_unregistered_kind_is_a_config_error_naming_the_field():
    with pytest.raises(ConfigError) as caught:
        validate_config(CONFIG)
    assert caught.value.field == "network.hidden.1.kind"
    assert caught.value.message == f"must be one of {', '.join(map(repr, hidden_kinds()))} (got 'scale')"


def test_the_registered_kind_builds_its_entry(scale_kind):
    trainer = Trainer(CONFIG)
    assert [layer["kind"] for layer in trainer.layers] == ["dense", "scale", "dense", "dense"]
    assert trainer.layers[1] == {"name": "scale2", "kind": "scale", "in_shape": [5], "out_shape": [5],
                                 "activation": "tanh"}
    assert trainer.net.params[1]["s"].tolist() == [1.5]
    assert trainer.net.weight_mask[trainer.net.store.slices["scale2.s"]].tolist() == [1.0]


def test_its_gradient_matches_finite_differences(scale_kind):
    trainer = Trainer(CONFIG)
    trainer.run(5)
    batch = trainer.sampler.peek(8)
    x, y = trainer.data.x_train[batch], trainer.targets[batch]

    def loss():
        h = x
        for i in range(len(trainer.net.entries)):
            h = trainer.net.forward(i, h)
        return float(trainer.loss.per_example(h, y).mean()), h

    _, out = loss()
    d = trainer.loss.backward(out, y)
    for i in reversed(range(len(trainer.net.entries))):
        d = trainer.net.backward(i, d)
    analytic = trainer.net.store.grad.copy()
    numeric = numeric_grad(lambda: loss()[0], trainer.net.store.theta)
    assert_close_grad(analytic, numeric, "every parameter, s included")
    s = trainer.net.store.slices["scale2.s"]
    assert_close_grad(analytic[s], numeric[s], "scale2.s")


def test_it_trains_and_its_statistics_are_recorded(scale_kind):
    trainer = Trainer(CONFIG)
    s_before = float(trainer.net.params[1]["s"][0])
    record = trainer.run(40)
    assert record.applied and trainer.steps == 40
    assert float(trainer.net.params[1]["s"][0]) != s_before
    grad_norm, bias_grad_norm = record.layers[1][0], record.layers[1][1]
    assert grad_norm == pytest.approx(abs(trainer.last_step.grad[trainer.net.store.slices["scale2.s"]][0]))
    assert np.isnan(bias_grad_norm)  # a scale layer has no bias


def test_it_is_explained_term_by_term(scale_kind):
    trainer = Trainer(CONFIG)
    trainer.run(3)
    out = trainer.explain(1, (0,), example=2, param="s")
    assert out["param"] == "s" and out["index"] == [0] and out["a"] is None
    assert out["mean"] == pytest.approx(out["grad"], rel=1e-12)
    values, flat = trainer.last_step, trainer.net.store.slices["scale2.s"].start
    assert out["grad"] == values.grad[flat]
    assert out["penalty"]["penalized"] == values.penalized[flat] != values.grad[flat]  # l2 applies to s


def test_phases_equal_the_plain_step(scale_kind):
    phased, stepped = Trainer(CONFIG), Trainer(CONFIG)
    for _ in range(3):
        while phased.phase().phase != "update":
            pass
        stepped.step()
    assert np.array_equal(phased.net.store.theta, stepped.net.store.theta)


def test_its_trace_validates_and_replays_exactly(scale_kind):
    trainer = Trainer(CONFIG, snapshot_every=10)
    trainer.run(30)
    trace = parse_trace(encode(trainer.export_trace()))
    assert trace["layers"][1]["kind"] == "scale"
    at_ten = next(s for s in trainer.recorder.snapshots if s["step"] == 10)
    assert trace["steps"][9]["snapshot"]["params"][1] == {"s": at_ten["params"][1]["s"].tolist()}
    again = replay(trace)
    assert again.steps == 30 and np.array_equal(again.net.store.theta, trainer.net.store.theta)


def test_a_kind_that_does_not_write_out_its_terms_says_so(monkeypatch):
    class Quiet(Scale):
        per_example = Layer.per_example

    monkeypatch.setitem(LAYERS, "scale", Quiet)
    trainer = Trainer(CONFIG)
    trainer.run(2)
    with pytest.raises(ExplainError, match="scale layers do not write out their gradients term by term"):
        trainer.explain(1, (0,), param="s")
    assert trainer.explain(0, (0, 0))["grad"] == trainer.last_step.grad[0]  # the others still do
