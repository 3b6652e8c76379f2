"""A recurrent layer reuses a step's arrays only once nothing refers to them: what a person (or a
phase record) still holds never changes under them, and an evaluation leaves the tapes alone."""
import numpy as np

from engine import Trainer
from engine.layers.buffers import MOST_BYTES, Buffers

LSTM = {"dataset": {"name": "remember_first", "seq_len": 6, "n_samples": 40},
        "network": {"hidden": [{"kind": "lstm", "units": 5}, {"kind": "rnn", "units": 4}]},
        "training": {"batch_size": 8}}


def test_an_array_is_handed_out_again_only_once_nothing_refers_to_it():
    buffers, f64 = Buffers(), np.dtype(np.float64)
    first = buffers.empty((3, 4), f64)
    first_id, view = id(first), first[1:]
    del first
    second = buffers.empty((3, 4), f64)
    assert id(second) != first_id  # the view still refers to the first
    del view
    assert id(buffers.empty((3, 4), f64)) == first_id
    assert id(buffers.empty((3, 4), f64)) == first_id  # nothing kept the one just handed out
    del second
    assert len(buffers.kept[(3, 4), f64]) == 2
    large = (MOST_BYTES // 8 + 1,)
    assert buffers.empty(large, f64) is not buffers.empty(large, f64) and ((large, f64)) not in buffers.kept


def test_a_step_held_elsewhere_keeps_its_values_while_training_and_evaluation_go_on():
    trainer = Trainer(LSTM, snapshot_every=0)
    trainer.run(2)
    held = [trainer.net.tapes[i].cache for i in (0, 1)]
    copies = [{k: v.copy() for k, v in vars(c).items() if isinstance(v, np.ndarray)} for c in held]
    trainer.run(3)
    trainer.evaluate()
    for cache, copy in zip(held, copies):
        assert len(copy) >= 4 and all(np.array_equal(getattr(cache, k), v) for k, v in copy.items())


def test_an_evaluation_leaves_the_tapes_and_equals_the_training_forward_bitwise():
    trainer = Trainer(LSTM, snapshot_every=0)
    trainer.run(4)
    tapes = list(trainer.net.tapes)
    states, gates = tapes[0].cache.states.copy(), tapes[0].cache.gates.copy()
    x = trainer.data.x_test
    evaluated, _ = trainer.net.evaluate(x)
    assert all(now is before for now, before in zip(trainer.net.tapes, tapes))
    assert np.array_equal(tapes[0].cache.states, states) and np.array_equal(tapes[0].cache.gates, gates)
    h = x
    for i in range(len(trainer.entries)):
        h = trainer.net.forward(i, h)
    assert evaluated.shape == (len(x), 1) and evaluated.tobytes() == h.tobytes()
