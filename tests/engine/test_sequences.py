"""Sequence data (issue 14): the sets are what they say and seeded; a config pairs layer kinds
with the data's input kind, and every combination out of bounds is a ConfigError naming its field."""
import numpy as np
import pytest

from engine import ConfigError, Trainer, validate_config
from engine.config import Config
from engine.data import input_shape, load_data, target_shape
from engine.sequences import SEQUENCES, make_sequences


def rng(seed=0):
    return np.random.default_rng(seed)


def test_remember_first_is_labelled_by_its_first_value():
    x, y = make_sequences("remember_first", 500, 30, 0.0, rng())
    assert x.shape == (500, 30, 1) and y.shape == (500,) and y.dtype == np.int64
    assert set(np.unique(x)) == {-1.0, 1.0}
    assert np.array_equal(y, (x[:, 0, 0] == 1.0).astype(np.int64))
    assert 0.4 < y.mean() < 0.6  # chance is 50%
    later = (x[:, 1:, 0] == 1.0).mean(axis=1)
    assert abs(np.corrcoef(later, y)[0, 1]) < 0.2  # nothing after the first step tells the label


def test_adding_marks_one_step_in_each_half_and_targets_their_sum():
    x, y = make_sequences("adding", 400, 20, 0.0, rng(1))
    assert x.shape == (400, 20, 2) and y.shape == (400,)
    values, marks = x[:, :, 0], x[:, :, 1]
    assert ((values >= 0) & (values <= 1)).all()
    assert (marks[:, :10].sum(axis=1) == 1).all() and (marks[:, 10:].sum(axis=1) == 1).all()
    assert np.allclose(y, (values * marks).sum(axis=1), rtol=0, atol=1e-15)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.03  # always answering 1 scores about 1/6


def test_sine_targets_the_next_value_at_every_step():
    x, y = make_sequences("sine", 50, 12, 20.0, rng(2))
    assert x.shape == (50, 12, 1) and y.shape == (50, 12)
    assert np.array_equal(y[:, :-1], x[:, 1:, 0])
    clean_x, _ = make_sequences("sine", 50, 12, 0.0, rng(2))
    assert np.abs(clean_x).max() <= 1.0 and np.abs(x - clean_x).max() > 0.05  # noise/100 = 0.2 std


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_sequence_sets_are_seeded(name):
    a, b, c = (make_sequences(name, 60, 10, 10.0, rng(seed)) for seed in (7, 7, 8))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_a_sequence_config_loads_split_data_of_its_shape():
    config = validate_config({"dataset": {"name": "sine", "seq_len": 15, "n_samples": 100},
                              "network": {"hidden": [{"kind": "rnn", "units": 4}]}, "training": {"loss": "mse"}})
    data = load_data(config.dataset, 0, 0, np.float32)
    assert data.x_train.shape == (50, 15, 1) and data.x_test.shape == (50, 15, 1)
    assert data.y_train.shape == (50, 15) and data.x_train.dtype == np.float32
    assert data.input_kind == "sequence" and data.many_to_many and data.points_train is None
    assert input_shape(config.dataset) == (15, 1) and target_shape(config.dataset) == (15,)


def test_seq_len_defaults_to_20_for_a_sequence_set_and_is_absent_for_points():
    assert validate_config({"dataset": {"name": "adding"}, "network": {"hidden": [{"kind": "lstm"}]},
                            "training": {"loss": "mse"}}).dataset.seq_len == 20
    assert "seq_len" not in Config().model_dump()["dataset"]


def test_an_lstm_layer_is_dumped_without_an_activation_and_round_trips():
    config = validate_config({"dataset": {"name": "remember_first", "seq_len": 8},
                              "network": {"hidden": [{"kind": "lstm", "units": 6}, {"units": 3}]}})
    dumped = config.model_dump()
    assert dumped["network"]["hidden"] == [{"kind": "lstm", "units": 6}, {"units": 3, "activation": "tanh"}]
    assert dumped["dataset"]["seq_len"] == 8
    assert validate_config(dumped) == config


SEQ = {"dataset": {"name": "remember_first"}, "network": {"hidden": [{"kind": "lstm", "units": 8}]}}
BAD = [  # (config, field, words in the message)
    ({"network": {"hidden": [{"kind": "lstm", "units": 8}]}}, "network.hidden.0.kind",
     "an lstm layer needs sequence data; 'spiral' is 2-D points"),
    ({"dataset": {"name": "circle", "seq_len": 10}}, "dataset.seq_len", "'circle' is 2-D points"),
    ({**SEQ, "dataset": {"name": "remember_first", "seq_len": 101}}, "dataset.seq_len", "at most 100"),
    ({**SEQ, "dataset": {"name": "remember_first", "seq_len": 1}}, "dataset.seq_len", "at least 2"),
    ({**SEQ, "network": {"hidden": [{"kind": "rnn", "units": 65}]}}, "network.hidden.0.units", "at most 64"),
    ({**SEQ, "network": {"hidden": [{"kind": "rnn", "units": 4}] * 5}}, "network.hidden", "at most 4 recurrent"),
    ({**SEQ, "network": {"hidden": [{"kind": "lstm"}], "recurrent_init": "identity"}}, "network.recurrent_init",
     "identity is for rnn layers"),
    ({**SEQ, "network": {"hidden": [{"kind": "lstm", "activation": "relu"}]}}, "network.hidden.0.activation",
     "an lstm layer has no activation"),
    ({**SEQ, "network": {"hidden": [{"kind": "rnn", "activation": "sigmoid"}]}}, "network.hidden.0.activation",
     "an rnn layer's activation is tanh or relu"),
    ({**SEQ, "network": {"hidden": [{"units": 4}]}}, "network.hidden.0.kind", "starts with a recurrent layer"),
    ({**SEQ, "network": {"hidden": []}}, "network.hidden.0.kind", "starts with a recurrent layer"),
    ({**SEQ, "network": {"hidden": [{"kind": "rnn"}, {"units": 3}, {"kind": "lstm"}]}}, "network.hidden.2.kind",
     "cannot follow a dense one"),
    ({**SEQ, "network": {"hidden": [{"kind": "lstm"}], "batch_norm": True}}, "network.batch_norm",
     "not to 'remember_first'"),
    ({**SEQ, "network": {"hidden": [{"kind": "lstm"}], "residual": True}}, "network.residual", "points set"),
    ({**SEQ, "network": {"hidden": [{"kind": "gru"}]}}, "network.hidden.0.kind", "must be one of"),
]


@pytest.mark.parametrize("config, field, words", BAD, ids=[b[1] + ":" + b[2][:24] for b in BAD])
def test_out_of_bounds_sequence_configs_name_the_field(config, field, words):
    with pytest.raises(ConfigError) as caught:
        validate_config(config)
    assert caught.value.field == field and words in caught.value.message, str(caught.value)


def test_a_rejected_reconfigure_changes_nothing_in_a_running_session():
    trainer = Trainer(SEQ)
    trainer.run(3)
    theta = trainer.net.store.theta.copy()
    with pytest.raises(ConfigError):
        trainer.reconfigure({"network": {"hidden": [{"kind": "lstm", "units": 80}]}})
    assert trainer.steps == 3 and np.array_equal(trainer.net.store.theta, theta)
    assert trainer.config.network.hidden[0].units == 8


def test_a_sequence_run_exports_a_trace_that_validates_and_replays_exactly():
    from engine import encode, parse_trace
    from engine.replay import replay
    trainer = Trainer({"seed": 4, "dataset": {"name": "adding", "seq_len": 6, "n_samples": 80},
                       "network": {"hidden": [{"kind": "rnn", "units": 5, "activation": "relu"}, {"units": 3}],
                                   "recurrent_init": "identity"},
                       "training": {"loss": "mse", "optimizer": "adam", "learning_rate": 0.01}}, snapshot_every=5)
    trainer.run(12)
    trace = parse_trace(encode(trainer.export_trace()))
    assert trace["layers"][0] == {"name": "rnn1", "kind": "rnn", "in_shape": [6, 2], "out_shape": [5], "units": 5,
                                  "returns_sequence": False, "nonlinearity": "relu", "activation": "relu"}
    assert trace["config"]["network"]["recurrent_init"] == "identity" and "forget_bias" not in trace["config"]["network"]
    again = replay(trace)
    assert again.steps == 12 and np.array_equal(again.net.store.theta, trainer.net.store.theta)
    last = trace["steps"][-1]["snapshot"]["params"][0]
    assert np.array_equal(np.asarray(last["W_h"]), trainer.net.params[0]["W_h"])
