"""The instruments' presets (issue 16, point 5), each claim of their "watch" text checked on the
presets' three seeds: a learning rate too large overshoots in the loss along the step, and
full-batch gradient descent sharpens to 2/lr and hovers there (the edge of stability)."""
import numpy as np
import pytest

from engine import Trainer
from engine.gradcheck import gradcheck
from engine.loss_line import loss_line
from engine.sharpness import sharpness
from test_presets import BY_ID, SEEDS, full_config

pytestmark = pytest.mark.filterwarnings("error")


def line_reading(trainer) -> tuple:
    """(loss at α = 0, loss at α = 1, α of the lowest loss) along the last step."""
    line = loss_line(trainer)
    alpha, loss = np.array(line["alpha"]), np.array(line["loss"])
    return loss[alpha == 0.0][0], loss[alpha == 1.0][0], alpha[np.argmin(loss)]


@pytest.mark.parametrize("seed", SEEDS)
def test_too_large_a_learning_rate_overshoots_every_step_and_the_loss_climbs(seed):
    preset = BY_ID["lr-too-large"]
    trainer = Trainer(full_config(preset, seed))
    losses = []
    for step in range(1, preset["steps"] + 1):
        losses.append(trainer.step().loss)
        start, landed, lowest = line_reading(trainer)
        if step >= 3:  # from the third step on, on every seed
            assert landed > start and lowest <= 0.5, (step, start, landed, lowest)
    assert trainer.steps == preset["steps"] and np.log10(losses[-1] / losses[0]) > 6, losses
    assert preset["panels"][0] == "line" and preset["loss_scale"] == "log"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_quarter_of_that_rate_lands_lower_still_falling_at_alpha_1(seed):
    preset = BY_ID["lr-too-large"]
    assert "Set the learning rate to 0.1" in preset["watch"]
    trainer = Trainer(full_config(preset, seed, {"training": {"learning_rate": 0.1}}))
    trainer.run(preset["steps"])
    start, landed, lowest = line_reading(trainer)
    assert landed < start and lowest > 1, (start, landed, lowest)


@pytest.mark.parametrize("seed", SEEDS)
def test_full_batch_gradient_descent_sharpens_to_two_over_lr_and_hovers(seed):
    preset = BY_ID["edge-of-stability"]
    config = full_config(preset, seed)
    trainer = Trainer(config)
    assert config["training"]["batch_size"] == len(trainer.data.x_train)  # full batch
    bound = 2 / config["training"]["learning_rate"]
    assert bound == 10 and "2/lr = 10" in preset["watch"]
    ratio, loss = {}, {}
    for step in range(0, preset["steps"] + 1, 25):
        trainer.run(step - trainer.steps)
        ratio[step] = sharpness(trainer)["value"] / bound
        loss[step] = trainer.evaluate()["train_loss"]
    assert ratio[0] < 0.5, ratio  # it starts well below the line
    assert max(ratio.values()) > 1, ratio  # it reaches the line
    assert all(0.75 < r < 1.25 for s, r in ratio.items() if s >= 300), ratio  # and hovers there
    assert loss[500] < loss[250] < loss[0], loss  # while the loss goes on falling
    assert preset["panels"][0] == "sharpness"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_diverged_run_is_not_called_wrong_the_check_cannot_tell(seed):
    """After its steps the loss is above 1e17, where a difference's roundoff (ε·|L|/h ≥ 1e6)
    swamps every gradient: the gradient check says it cannot tell, never that backpropagation
    (which is right) is wrong."""
    preset = BY_ID["lr-too-large"]
    trainer = Trainer(full_config(preset, seed))
    trainer.run(preset["steps"])
    assert trainer.last_record.loss > 1e17
    assert {e["verdict"] for e in gradcheck(trainer)["entries"]} == {"roundoff"}
