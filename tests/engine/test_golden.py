"""The engine against golden traces computed by PyTorch (tests/golden/, made by make_golden.py).

Each golden file holds a config, its live events, the engine's inputs (data after feature
expansion, initial parameters, batch indices) and, per step, what torch computed from those
inputs alone: the minibatch loss, the gradients as the update used them (after penalties and
clipping) and the parameters after the update; plus the eval-mode losses after the last step
(batch norm's running statistics). PyTorch is not needed here.

Tolerance: |engine - torch| <= 1e-10 * max(1, |torch|), i.e. absolute 1e-10 for values of
magnitude below 1 and relative 1e-10 above. Relative alone would be wrong near zero: a gradient
entry that is a sum of O(1) terms cancelling to 1e-13 carries rounding of order 1e-16 from each
term, so its relative error says nothing about the engine (and an exact zero, e.g. a dead relu's
weight gradient, has no relative error at all). Absolute alone would be too loose on large
values. In these runs (float64, up to 30 steps) the two sides agree to about 1e-15; 1e-10 leaves
room for summation order and platform libm differences, and catches any real error, which is
far larger.

Two paths run each golden config: whole steps (`Trainer.step`), and phases only
(`Trainer.phase` until each step's update), so phase stepping is checked against a reference that
shares none of the engine's code rather than against the engine's own plain step.
"""
import copy
import json
from pathlib import Path

import numpy as np
import pytest

from engine import Trainer

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
GOLDEN = sorted(GOLDEN_DIR.glob("*.json"))
TOL = 1e-10


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def deviation(engine, torch_value) -> float:
    """Largest |engine - torch| / max(1, |torch|) over the arrays' elements."""
    a, b = np.asarray(engine, dtype=np.float64), np.asarray(torch_value, dtype=np.float64)
    assert a.shape == b.shape, f"shape {a.shape} against torch's {b.shape}"
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def check(where: str, engine, torch_value) -> None:
    """Fail, saying where and by how much, when the engine is further than TOL from torch."""
    d = deviation(engine, torch_value)
    assert d <= TOL, (f"{where}: engine differs from torch by {d:.3g} (> {TOL:g})\n"
                      f"engine {np.asarray(engine)!r}\ntorch  {np.asarray(torch_value)!r}")


def merge(base: dict, partial: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in partial.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def assert_contains(got, want, path="config") -> None:
    """Every field the golden config names has the same value in the engine's (new fields may
    appear with their defaults: DESIGN.md lets the config grow)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: {got!r}"
        for k, v in want.items():
            assert k in got, f"{path}.{k} is gone from the engine's normalized config"
            assert_contains(got[k], v, f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} against {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_contains(g, w, f"{path}[{i}]")
    else:
        assert got == want, f"{path}: the engine has {got!r}, the golden run {want!r}"


def events_of(golden: dict) -> dict:
    return {e["step"]: e["config"] for e in golden["events"]}


def check_inputs(trace: dict, golden: dict) -> None:
    """The engine saw the inputs the reference was given (else the comparison means nothing)."""
    assert_contains(trace["config"], golden["config"])
    for key in ("x_train", "x_test"):
        check(f"data.{key}", trace["data"][key], golden["data"][key])
    for key in ("y_train", "y_test"):
        check(f"data.{key}", trace["data"][key], golden["data"][key])
    for i, (got, want) in enumerate(zip(trace["initial"]["params"], golden["initial_params"], strict=True)):
        assert set(got) == set(want)
        for name in want:
            check(f"initial params[{i}].{name}", got[name], want[name])
    assert [{"step": int(e["step"]), "config": e["config"]} for e in trace["events"]] == golden["events"]


def check_trace(trace: dict, golden: dict) -> None:
    """Every step's loss, gradients as used and parameters after the update, against torch."""
    check_inputs(trace, golden)
    steps = trace["steps"]
    assert [s["step"] for s in steps] == [s["step"] for s in golden["steps"]]
    for got, want in zip(steps, golden["steps"], strict=True):
        k = want["step"]
        assert np.array_equal(np.asarray(got["batch"]), want["batch"]), f"step {k}: batch"
        check(f"step {k}: loss", got["loss"], want["loss"])
        snap = got["snapshot"]
        for kind in ("grads", "params"):
            for i, (g, w) in enumerate(zip(snap[kind], want[kind], strict=True)):
                assert set(g) == set(w), f"step {k}: {kind}[{i}] names {set(g)} against {set(w)}"
                for name in w:
                    check(f"step {k}: {kind}[{i}].{name} ({trace['layers'][i]['name']})", g[name], w[name])


def check_eval(trainer: Trainer, golden: dict) -> None:
    """Full-set losses in eval mode after the last step: batch norm's running statistics."""
    result = trainer.evaluate()
    for key, value in golden["final_eval"].items():
        check(f"final eval {key}", result[key], value)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_steps_match_torch(path):
    golden = load(path)
    events = events_of(golden)
    trainer = Trainer(golden["config"], snapshot_every=1)
    for k in range(1, golden["n_steps"] + 1):
        assert trainer.step().applied, f"step {k} refused"
        if k in events:
            assert trainer.reconfigure(events[k]).rebuilt is False
    check_trace(trainer.export_trace(), golden)
    check_eval(trainer, golden)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_phases_match_torch(path):
    """The same runs driven by phases alone; also each backward phase's dW, db (dγ, dβ) where no
    penalty or clipping makes the used gradient differ from the backpropagated one."""
    golden = load(path)
    events = events_of(golden)
    config = golden["config"]
    trainer = Trainer(config, snapshot_every=1)
    for want in golden["steps"]:
        k, hp = want["step"], config["training"]
        raw_is_used = hp["l1"] == 0 and hp["l2"] == 0 and hp["clip"] == "none"
        while True:
            record = trainer.phase()
            assert record.step == k
            if record.phase == "backward" and raw_is_used:
                for name, value in want["grads"][record.layer].items():
                    check(f"step {k}: backward phase d{name} of layer {record.layer}",
                          record.tensors[f"d{name}"], value)
            if record.phase == "update":
                break
        assert record.record.applied, f"step {k} refused"
        check(f"step {k}: update phase loss", record.record.loss, want["loss"])
        assert not trainer.mid_step
        if k in events:
            assert trainer.reconfigure(events[k]).rebuilt is False
            config = merge(config, events[k])
    check_trace(trainer.export_trace(), golden)
    check_eval(trainer, golden)


def test_golden_files_are_there_and_cover_the_contract():
    """A dozen runs; every optimizer, loss, clip, batch norm, residual, penalties, an event, and the
    image kinds (conv2d with stride and padding, both pools)."""
    configs = [load(p) for p in GOLDEN]
    assert len(configs) >= 14
    seen = {key: set() for key in ("optimizer", "loss", "clip", "activation", "kind", "stride", "padding")}
    flags = set()
    for g in configs:
        c = g["config"]
        for e in [{}] + [e["config"] for e in g["events"]]:
            c = merge(c, e)  # the config in force after each event in turn
            t = c["training"]
            seen["optimizer"].add(t["optimizer"])
            seen["clip"].add(t["clip"])
            flags |= {f for f in ("l1", "l2") if t[f] > 0}
            if t["optimizer"] == "adamw" and t["weight_decay"] > 0:
                flags.add("weight_decay")
        seen["loss"].add(c["training"]["loss"])
        hidden = c["network"]["hidden"]
        seen["activation"] |= {h["activation"] for h in hidden if "activation" in h}
        seen["kind"] |= {h.get("kind", "dense") for h in hidden}
        seen["stride"] |= {h["stride"] for h in hidden if "stride" in h}
        seen["padding"] |= {h["padding"] for h in hidden if "padding" in h}
        flags |= {f for f in ("batch_norm", "residual") if c["network"][f]}
        if g["events"]:
            flags.add("events")
        sizes = [len(s["batch"]) for s in g["steps"]]
        assert len(set(sizes)) > 1, f"{g['name']}: no shorter last batch"
    assert seen["optimizer"] >= {"sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"}
    assert seen["loss"] >= {"bce", "cross_entropy", "mse"}
    assert seen["clip"] >= {"none", "norm", "value"}
    assert flags >= {"l1", "l2", "weight_decay", "batch_norm", "residual", "events"}
    assert len(seen["activation"]) >= 8
    assert seen["kind"] >= {"dense", "conv2d", "max_pool", "avg_pool"} and seen["stride"] >= {1, 2}
    assert seen["padding"] >= {1, 2}
    assert sum(p.stat().st_size for p in GOLDEN) < 2_000_000
