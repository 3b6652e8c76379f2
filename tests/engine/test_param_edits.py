"""A person setting one parameter element (issue 17, point 5): a live edit that takes effect
between steps, is recorded in the trace's events, is refused with the part at fault named, and
is replayed exactly."""
import numpy as np
import orjson
import pytest

from engine import Trainer, encode
from engine.param_edits import EditError
from engine.replay import replay
from engine.trace_loader import TraceError, parse_trace

BN = {"seed": 3, "network": {"hidden": [{"units": 4, "activation": "tanh"}] * 2, "batch_norm": True},
      "training": {"optimizer": "adam", "learning_rate": 0.01}}


def test_an_edit_sets_that_element_only_and_is_an_event_at_its_step():
    trainer = Trainer(BN)
    trainer.run(7)
    before = trainer.net.store.theta.copy()
    assert trainer.set_param(0, "W", [1, 2], 0.625) is False
    assert trainer.net.params[0]["W"][1, 2] == 0.625
    changed = np.flatnonzero(trainer.net.store.theta != before)
    assert changed.tolist() == [trainer.net.store.slices["dense1.W"].start + 1 * 4 + 2]
    assert trainer.events == [{"step": 7, "set_param": {"layer": 0, "param": "W", "index": [1, 2], "value": 0.625}}]
    trainer.step()  # the next step starts from the edited weight
    assert trainer.last_step.theta_before[changed[0]] == 0.625


def test_an_edit_in_the_middle_of_a_phase_by_phase_step_waits_for_its_update():
    trainer = Trainer(BN)
    trainer.run(3)
    trainer.phase()  # dense1 forward: step 4 is in progress
    assert trainer.set_param(1, "gamma", [3], -2) is True
    assert trainer.net.params[1]["gamma"][3] != -2  # the step in progress runs with the old value
    while trainer.mid_step:
        trainer.phase()
    assert trainer.steps == 4 and trainer.net.params[1]["gamma"][3] == -2.0
    assert trainer.events == [{"step": 4, "set_param": {"layer": 1, "param": "gamma", "index": [3], "value": -2.0}}]


@pytest.mark.parametrize("edit, field, message", [
    ((9, "W", [0, 0], 1.0), "layer", "there is no layer 9; the network has 5"),
    ((-1, "W", [0, 0], 1.0), "layer", "there is no layer -1; the network has 5"),
    ((True, "W", [0, 0], 1.0), "layer", "there is no layer True; the network has 5"),
    ((1, "W", [0], 1.0), "param", "bn1 has no parameter 'W'; it has gamma, beta"),
    ((0, "w", [0, 0], 1.0), "param", "dense1 has no parameter 'w'; it has W, b"),
    ((0, "W", [2, 0], 1.0), "index", "dense1.W has shape (2, 4); no element at (2, 0)"),
    ((0, "b", [1, 1], 1.0), "index", "dense1.b has shape (4); no element at (1, 1)"),
    ((0, "W", [0, 1.5], 1.0), "index", "the index must be a list of integers (got [0, 1.5])"),
    ((0, "W", [0, 0], float("nan")), "value", "dense1.W[0, 0] must be set to a finite number (got nan)"),
    ((0, "W", [0, 0], float("-inf")), "value", "dense1.W[0, 0] must be set to a finite number (got -inf)"),
    ((0, "W", [0, 0], "1"), "value", "dense1.W[0, 0] must be set to a finite number (got '1')"),
    ((0, "W", [0, 0], True), "value", "dense1.W[0, 0] must be set to a finite number (got True)"),
])
def test_a_bad_edit_names_the_part_at_fault_and_changes_nothing(edit, field, message):
    trainer = Trainer(BN)
    trainer.run(2)
    before = trainer.net.store.theta.copy()
    with pytest.raises(EditError) as caught:
        trainer.set_param(*edit)
    assert (caught.value.field, str(caught.value)) == (field, message)
    assert np.array_equal(trainer.net.store.theta, before) and trainer.events == []


def test_a_value_the_runs_precision_cannot_hold_is_refused():
    trainer = Trainer({"training": {"dtype": "float32"}})
    with pytest.raises(EditError) as caught:
        trainer.set_param(0, "W", [0, 0], 1e39)
    assert (caught.value.field, str(caught.value)) == ("value", "1e+39 overflows float32, the run's precision")
    trainer.set_param(0, "W", [0, 0], 3e38)  # within float32's range
    assert trainer.net.params[0]["W"][0, 0] == np.float32(3e38)


def test_a_trace_with_edits_replays_to_the_same_parameters_bitwise():
    trainer = Trainer(BN)
    trainer.run(20)
    trainer.set_param(0, "W", [0, 3], 1.75)
    trainer.reconfigure({"training": {"learning_rate": 0.003}})
    trainer.set_param(0, "b", [2], -0.5)  # two events at one step, in the order made
    trainer.run(15)
    trainer.phase()
    trainer.set_param(3, "beta", [0], 0.25)  # waits for step 36's update
    while trainer.mid_step:
        trainer.phase()
    trainer.set_param(4, "W", [1, 0], -3)
    trainer.run(9)
    trace = trainer.export_trace()
    assert trace["events"] == [
        {"step": 20, "set_param": {"layer": 0, "param": "W", "index": [0, 3], "value": 1.75}},
        {"step": 20, "config": {"training": {"learning_rate": 0.003}}},
        {"step": 20, "set_param": {"layer": 0, "param": "b", "index": [2], "value": -0.5}},
        {"step": 36, "set_param": {"layer": 3, "param": "beta", "index": [0], "value": 0.25}},
        {"step": 36, "set_param": {"layer": 4, "param": "W", "index": [1, 0], "value": -3.0}},
    ]
    again = replay(parse_trace(encode(trace)))
    assert again.steps == trainer.steps == 45
    assert again.events == trace["events"]
    assert np.array_equal(again.net.store.theta, trainer.net.store.theta)
    assert all(np.array_equal(again.optimizer_state[k], v) for k, v in trainer.optimizer_state.items())
    assert encode(again.export_trace()["steps"]) == encode(trace["steps"])


def test_without_its_edits_the_replay_differs():
    """The edits are what the replay reproduces (not a run that would come out the same anyway)."""
    trainer = Trainer(BN)
    trainer.run(5)
    trainer.set_param(0, "W", [0, 0], 2.0)
    trainer.run(5)
    trace = orjson.loads(encode(trainer.export_trace()))
    trace["events"] = []
    assert not np.array_equal(replay(parse_trace(encode(trace))).net.store.theta, trainer.net.store.theta)


@pytest.fixture(scope="module")
def edited_trace() -> dict:
    trainer = Trainer({}, snapshot_every=5)
    trainer.run(4)
    trainer.set_param(0, "W", [1, 1], 0.5)
    trainer.run(2)
    return orjson.loads(encode(trainer.export_trace()))


@pytest.mark.parametrize("change, where, message", [
    ({"layer": 7}, "events[0].set_param.layer", "there is no layer 7; the network has 3"),
    ({"param": "gamma"}, "events[0].set_param.param", "dense1 has no parameter 'gamma'; it has W, b"),
    ({"index": [1, 9]}, "events[0].set_param.index", "dense1.W has shape (2, 4); no element at (1, 9)"),
    ({"value": None}, "events[0].set_param.value", "must be set to a finite number (got None)"),
    ({"scale": 2}, "events[0].set_param.scale", "is not a part of an edit (index, layer, param, value)"),
])
def test_the_loader_refuses_a_bad_edit_event_naming_where(edited_trace, change, where, message):
    trace = orjson.loads(orjson.dumps(edited_trace))
    trace["events"][0]["set_param"].update(change)
    with pytest.raises(TraceError) as caught:
        parse_trace(encode(trace))
    assert caught.value.where == where and message in str(caught.value)


def test_the_loader_refuses_an_edit_missing_a_part(edited_trace):
    trace = orjson.loads(orjson.dumps(edited_trace))
    del trace["events"][0]["set_param"]["value"]
    with pytest.raises(TraceError, match=r"^events\[0\].set_param: missing 'value'$"):
        parse_trace(encode(trace))
