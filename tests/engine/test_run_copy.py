"""RunCopy (issue 16, points 2-4, for the server): the instruments measure a copy of the run taken
on the training thread exactly as they measure the trainer, and the copy stays as it was while
the run trains on (the server measures on another thread)."""
import numpy as np
import pytest

from engine import Trainer
from engine.gradcheck import gradcheck
from engine.loss_line import loss_line
from engine.probe import InstrumentError
from engine.run_copy import RunCopy
from engine.sharpness import sharpness

CONFIG = {"network": {"hidden": [{"units": 5, "activation": "tanh"}] * 2}, "training": {"optimizer": "adam"}}


def measured(run) -> tuple:
    """The three instruments' results on a trainer or a copy."""
    return gradcheck(run), loss_line(run), sharpness(run, iterations=4)


def test_a_copy_measures_as_the_trainer_and_stays_as_it_was_while_the_run_trains_on():
    trainer = Trainer(CONFIG, snapshot_every=0)
    trainer.run(4)
    before = measured(trainer)
    copy = RunCopy(trainer)
    trainer.run(3)
    assert measured(copy) == before
    assert measured(trainer) != before  # the run itself has moved on


def test_no_line_in_the_middle_of_a_phase_by_phase_step():
    trainer = Trainer(CONFIG, snapshot_every=0)
    trainer.run(2)
    trainer.phase()
    with pytest.raises(InstrumentError, match="a step is in progress"):
        loss_line(RunCopy(trainer))
    while trainer.mid_step:
        trainer.phase()
    assert loss_line(trainer)["step"] == 3


def test_an_absent_layer_names_the_field():
    trainer = Trainer(CONFIG, snapshot_every=0)
    with pytest.raises(InstrumentError) as caught:
        gradcheck(RunCopy(trainer), layer=3)
    assert caught.value.field == "layer" and "there is no layer 3; the network has 3" in str(caught.value)
    assert np.isfinite(sharpness(RunCopy(trainer), iterations=2)["value"])  # at step 0 too
