"""The sequence panels' data (issue 14, point 7): the shown example's inputs and output through
time, and the first test sequences' predictions, in the loss's terms."""
import numpy as np

from engine import Trainer
from engine.activations import sigmoid
from engine.sequence_detail import readable


def test_before_any_step_there_is_no_example_and_the_predictions_are_the_untrained_nets():
    trainer = Trainer({"dataset": {"name": "adding", "seq_len": 5, "n_samples": 200},
                       "network": {"hidden": [{"kind": "rnn", "units": 3}]}, "training": {"loss": "mse"}})
    d = trainer.detail()["sequence"]
    assert d["example"] is None
    out, _ = trainer.net.evaluate(trainer.data.x_test[:64])
    assert d["predictions"]["kind"] == "many_to_one" and d["predictions"]["loss"] == "mse"
    assert np.array_equal(d["predictions"]["targets"], trainer.data.y_test[:64])
    assert np.array_equal(d["predictions"]["outputs"], out[:, 0])


def test_a_many_to_many_example_is_the_first_of_the_last_batch_with_its_output_at_every_step():
    trainer = Trainer({"dataset": {"name": "sine", "seq_len": 7}, "network": {"hidden": [{"kind": "lstm", "units": 4}]},
                       "training": {"loss": "mse", "batch_size": 8}})
    trainer.run(3)
    d = trainer.detail()["sequence"]
    batch = trainer.last_record.batch
    assert np.array_equal(d["example"]["x"], trainer.data.x_train[batch[0]])
    assert d["example"]["output"].shape == (7,)
    assert np.array_equal(d["example"]["output"], trainer.net.tapes[-1].z[0, :, 0])
    assert d["predictions"]["targets"].shape == (4, 7) and d["predictions"]["outputs"].shape == (4, 7)
    assert np.array_equal(d["predictions"]["targets"], trainer.data.y_test[:4])


def test_a_classifier_shows_the_probability_of_class_1():
    trainer = Trainer({"dataset": {"name": "remember_first", "seq_len": 4},
                       "network": {"hidden": [{"kind": "rnn", "units": 3}]}, "training": {"loss": "bce"}})
    trainer.run(1)
    d = trainer.detail()["sequence"]
    assert d["example"]["output"] == sigmoid(trainer.net.tapes[-1].z[0, 0])
    out, _ = trainer.net.evaluate(trainer.data.x_test[:64])
    assert np.array_equal(d["predictions"]["outputs"], sigmoid(out[:, 0]))
    logits = np.array([[0.0, np.log(3.0)]])
    assert np.allclose(readable(logits, "cross_entropy"), [0.75])


def test_points_and_light_detail_have_no_sequence_part():
    assert "sequence" not in Trainer({}).detail()
    trainer = Trainer({"dataset": {"name": "sine"}, "network": {"hidden": [{"kind": "lstm", "units": 2}]},
                       "training": {"loss": "mse"}})
    assert "sequence" not in trainer.detail(planes=False)


def test_the_catalog_names_each_sequence_sets_input_channels():
    from engine import catalog
    sets = {d["name"]: d for d in catalog()["choices"]["datasets"]}
    assert sets["spiral"]["channels"] is None and sets["spiral"]["input_kind"] == "points"
    assert sets["adding"]["channels"] == ["value", "marker"]
    assert sets["sine"]["channels"] == ["x"] and sets["sine"]["input_kind"] == "sequence"
