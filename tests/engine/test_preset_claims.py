"""Every preset's "watch" text says what its run shows (issue 13, point 14): each claim with a
number or a direction in it is checked here, on the three seeds the presets' tests use."""
import numpy as np
import pytest

from engine import Trainer
from engine.stats import COLUMN
from test_presets import BY_ID, SEEDS, full_config

pytestmark = pytest.mark.filterwarnings("error")


class Run:
    """A preset run for its steps, with every step's minibatch loss and per-layer scalars."""

    def __init__(self, preset_id: str, seed: int, extra: dict | None = None):
        preset = BY_ID[preset_id]
        self.trainer = Trainer(full_config(preset, seed, extra))
        self.loss, layers = [], []
        for _ in range(preset["steps"]):
            record = self.trainer.step()
            if not record.applied:
                break
            self.loss.append(record.loss)
            layers.append(np.array(record.layers))
        self.layers = np.array(layers)  # (steps, n_entries, 10)
        self.names = [e.name for e in self.trainer.entries]
        self.final = self.trainer.evaluate()

    def column(self, name: str) -> np.ndarray:
        """One scalar of every layer at every step: (steps, n_entries)."""
        return self.layers[:, :, COLUMN[name]]

    def late_grad(self) -> np.ndarray:
        """Each weighted layer's ‖dW‖ over the last 20 steps, averaged: (n_weighted,)."""
        grad = self.column("grad_norm")[-20:]
        return grad[:, ~np.isnan(grad).all(axis=0)].mean(axis=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_sigmoid_first_layer_a_million_times_below_and_a_coin_flip(seed):
    run = Run("deep-sigmoid", seed)
    grad = run.late_grad()
    assert grad[0] < grad[-1] / 1e6, grad
    assert abs(run.final["train_loss"] - 0.69) < 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_relu_he_lines_side_by_side_and_loss_toward_zero(seed):
    run = Run("deep-relu-he", seed)
    grad = run.late_grad()
    assert len(grad) == 9 and grad.max() / grad.min() < 10, grad
    assert run.final["train_loss"] < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_batchnorm_first_layer_at_the_output_layers_level_and_loss_falls(seed):
    run = Run("deep-batchnorm", seed)
    grad = run.late_grad()
    assert grad[0] > grad[-1] / 2, grad
    assert run.final["train_loss"] < 0.3 < run.loss[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_residual_level_and_unticking_it_sinks_the_first_layer_hundreds_of_times(seed):
    run = Run("deep-residual", seed)
    grad = run.late_grad()
    assert grad.max() / grad.min() < 10, grad
    assert run.final["train_loss"] < 0.05
    plain = Run("deep-residual", seed, {"network": {"residual": False}}).late_grad()
    assert plain[0] < plain[-1] / 100, plain


@pytest.mark.parametrize("seed", SEEDS)
def test_large_init_climbs_ten_orders_of_magnitude_in_60_steps(seed):
    run = Run("large-init", seed)
    assert len(run.loss) == 60
    assert np.log10(np.max(run.loss[-5:]) / run.loss[0]) > 10
    assert np.nanmax(run.column("grad_norm")[-5:]) > 1e10 * np.nanmax(run.column("grad_norm")[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_large_init_clipped_stops_growing_and_settles(seed):
    run = Run("large-init-clipped", seed)
    assert run.trainer.config.training.clip_threshold == 1.0
    assert run.final["train_loss"] < 0.25 and run.final["train_loss"] < run.loss[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_dead_relu_kills_the_last_hidden_layer_and_cuts_off_every_gradient(seed):
    run = Run("dead-relu", seed)
    assert run.names[2] == "dense3" and "dense3 is 100% dead" in BY_ID["dead-relu"]["watch"]
    dead = run.column("dead_fraction")[:, 2]
    assert (dead[49:] == 1.0).all(), dead[:60]  # within 50 steps, and for good
    assert max(run.loss[:50]) > 3 * run.loss[0]  # the first updates overshoot: the loss spikes
    assert (run.column("grad_norm")[50:] == 0.0).all()  # no layer gets a gradient any more
    assert abs(run.final["train_loss"] - 0.69) < 0.04  # near a coin flip, and stays there
    assert BY_ID["dead-relu"]["loss_scale"] == "log"  # the spike and the flat line both show


@pytest.mark.parametrize("seed", SEEDS)
def test_dead_relu_fixed_keeps_most_units_alive_and_learns_the_circle(seed):
    run = Run("dead-relu-fixed", seed)
    assert (run.column("dead_fraction")[-1, :3] < 0.5).all()
    assert run.final["train_accuracy"] > 0.95


@pytest.mark.parametrize("seed", SEEDS)
def test_optimizers_sgd_crawls_momentum_far_below_adam_fastest(seed):
    loss = {k: Run(f"optimizer-{k}", seed).final["train_loss"] for k in ("sgd", "momentum", "adam")}
    assert 0.6 < loss["sgd"] < 0.7, loss
    assert loss["momentum"] < loss["sgd"] / 2, loss
    assert loss["adam"] < loss["momentum"], loss
