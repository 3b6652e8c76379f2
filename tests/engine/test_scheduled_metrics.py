"""The full-set metrics on a schedule of steps (engine/evaluations.py)."""
import math

import numpy as np

from engine import Trainer
from engine.evaluations import due


def test_the_schedule_is_every_step_at_first_then_32_per_doubling():
    assert all(due(s) for s in range(64))
    assert [s for s in range(64, 140) if due(s)] == [*range(64, 128, 2), *range(128, 140, 4)]
    assert sum(due(s) for s in range(1024, 2048)) == 32
    assert sum(due(s) for s in range(1_000_001)) == 510  # bounded: a long run keeps few points


def test_a_trainer_evaluates_on_the_schedule_whatever_way_it_is_stepped():
    whole = Trainer(scheduled_metrics=True)
    whole.run(150)
    by_phase = Trainer(scheduled_metrics=True)
    for _ in range(150):
        while by_phase.phase().phase != "update":
            pass
    for trainer in (whole, by_phase):
        log = trainer.metric_log
        assert log.step == [s for s in range(151) if due(s)]
        assert log.since(0)["train_loss"].tolist() == whole.metric_log.since(0)["train_loss"].tolist()
    again = Trainer()  # the last point is the full-set metrics after that step
    again.run(148)
    expected = again.evaluate()
    log = whole.metric_log.since(len(whole.metric_log) - 1)
    assert log["step"].tolist() == [148]
    assert {k: log[k][0] for k in expected} == expected


def test_evaluations_start_at_step_0_of_each_run_and_only_when_asked():
    trainer = Trainer({"dataset": {"name": "plane"}, "training": {"loss": "mse"}}, scheduled_metrics=True)
    trainer.run(3)
    assert trainer.metric_log.step == [0, 1, 2, 3]
    assert math.isnan(trainer.metric_log.since(0)["test_accuracy"][0])  # regression: no accuracy
    trainer.reset()
    assert trainer.metric_log.step == [0]
    plain = Trainer()
    plain.run(3)
    assert len(plain.metric_log) == 0 and plain.metric_log.since(0)["step"].shape == (0,)
    evaluated = Trainer(scheduled_metrics=True)
    evaluated.run(3)
    assert np.array_equal(plain.net.store.theta, evaluated.net.store.theta)  # evaluating changes nothing
