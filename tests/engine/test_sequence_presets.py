"""The sequence presets (issue 14, point 8) do what their `watch` words promise, on three seeds: a
tanh RNN stays at chance on a 50-step remember_first while ‖dL/dh_1‖ sits over a million times
below ‖dL/dh_T‖; an LSTM learns the same task without a vanishing badge; a ReLU RNN's gradient
explodes through time and the same net with clipping keeps its loss finite; Le et al.'s IRNN beats
the 0.167 of always answering 1 on the adding problem."""
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import engine
from engine import Trainer, health
from engine.config import Config, merge
from engine.health_time import NOT_JUDGED, first_to_last

pytestmark = pytest.mark.filterwarnings("error")

SEEDS = (0, 1, 2)
PRESETS = {p["id"]: p for p in json.loads(
    (Path(engine.__file__).parent / "presets.json").read_text(encoding="utf-8"))["presets"]}


@cache
def run(preset_id: str, seed: int) -> Trainer:
    """The preset run for its steps on `seed` (one run per preset and seed for this module)."""
    preset = PRESETS[preset_id]
    trainer = Trainer(merge(merge(Config().model_dump(), preset["config"]), {"seed": seed}))
    trainer.run(preset["steps"])
    return trainer


def last_ratio(trainer: Trainer) -> float:
    """‖dL/dh_1‖ / ‖dL/dh_T‖ of the last step's first recurrent layer."""
    rec = trainer.recorder
    signals, _ = rec.time_values(rec.value[rec.rows - 1:rec.rows])
    return float(first_to_last(signals)[0, 0])


def badges(trainer: Trainer) -> dict:
    return {b["id"]: b for b in health(trainer)}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_tanh_rnn_stays_at_chance_while_its_gradient_vanishes_through_time(seed):
    trainer = run("rnn-vanishing", seed)
    assert last_ratio(trainer) < 1e-6
    assert 0.4 <= trainer.evaluate()["test_accuracy"] <= 0.6
    vanishing = badges(trainer)["vanishing_through_time"]
    assert vanishing["status"] == "warn" and vanishing["layers"] == ["rnn1"] and vanishing["value"] < 1e-6


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lstm_learns_the_same_task_and_raises_no_through_time_badge(seed):
    trainer = run("lstm-remembers", seed)
    assert trainer.evaluate()["test_accuracy"] >= 0.9
    found = badges(trainer)
    assert found["vanishing_through_time"]["status"] == "unknown"
    assert NOT_JUDGED in found["vanishing_through_time"]["headline"]
    assert found["exploding_through_time"]["status"] == "ok"
    assert PRESETS["lstm-remembers"]["config"]["dataset"] == PRESETS["rnn-vanishing"]["config"]["dataset"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_relu_rnn_explodes_through_time_without_a_refused_step(seed):
    trainer = run("rnn-exploding", seed)
    assert trainer.steps == PRESETS["rnn-exploding"]["steps"]
    assert last_ratio(trainer) > 1e6
    assert trainer.evaluate()["train_loss"] > 1e100
    found = badges(trainer)
    assert found["exploding_through_time"]["status"] == "warn" and found["exploding_through_time"]["layers"] == ["rnn1"]
    assert found["diverged"]["status"] == "ok"


@pytest.mark.parametrize("seed", SEEDS)
def test_clipping_keeps_the_same_relu_rnn_finite(seed):
    trainer = run("rnn-exploding-clipped", seed)
    losses = [trainer.evaluate()[k] for k in ("train_loss", "test_loss")]
    assert all(np.isfinite(loss) and loss < 100 for loss in losses), losses
    assert 1 < last_ratio(trainer) < 100
    found = badges(trainer)
    assert {found[rule]["status"] for rule in ("exploding_through_time", "diverged")} == {"ok"}


def test_the_clipped_rnn_differs_from_the_exploding_one_only_by_clipping():
    exploding, clipped = PRESETS["rnn-exploding"]["config"], PRESETS["rnn-exploding-clipped"]["config"]
    assert clipped["training"] == {**exploding["training"], "clip": "norm", "clip_threshold": 1.0}
    assert clipped["network"] == exploding["network"] and clipped["dataset"] == exploding["dataset"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_irnn_beats_always_answering_one_on_the_adding_problem(seed):
    trainer = run("irnn-adding", seed)
    assert trainer.evaluate()["test_loss"] < 0.16  # always answering 1 scores 1/6 ≈ 0.167
    found = badges(trainer)
    assert {found[rule]["status"] for rule in ("vanishing_through_time", "exploding_through_time")} == {"ok"}
    network = PRESETS["irnn-adding"]["config"]["network"]
    assert network["recurrent_init"] == "identity" and network["hidden"][0]["activation"] == "relu"
