"""The loss along the step: the last minibatch's loss at θ + α·Δθ (θ the weights before the last
update, Δθ that update), and along the plain negative gradient scaled to the same length."""
import numpy as np

from .probe import InstrumentError, Probe, affordable

ALPHAS = np.round(np.linspace(-1.0, 3.0, 41), 10)  # α = 0 where the step started, 1 where it landed


def last_applied(trainer):
    """The last step's StepValues, or InstrumentError when it has no line: no step yet, a refused
    one, or a step in progress phase by phase (its backward overwrites the last gradient)."""
    values = trainer.last_step
    if trainer.mid_step:
        raise InstrumentError("a step is in progress phase by phase; its line comes after its update")
    if values is None or not values.applied:
        raise InstrumentError("no step has been applied yet" if values is None
                              else f"step {values.step} was refused, so it has no line")
    return values


def loss_line(trainer) -> dict:
    """{step, alpha, loss, gradient_loss, step_length, batch, of, dropout_off} for the last
    applied step; `loss` and `gradient_loss` are (41,) lists, float64 whatever the run's dtype,
    on the step's examples (`batch` of its `of`: all of them unless the net is too large)."""
    values, record = last_applied(trainer), trainer.last_record
    probe = Probe(trainer, affordable(trainer, record.batch, 2 * len(ALPHAS)))
    theta = values.theta_before.astype(np.float64)
    update = values.update.astype(np.float64)
    grad = values.grad.astype(np.float64)
    length, grad_norm = float(np.linalg.norm(update)), float(np.linalg.norm(grad))
    downhill = -grad * (length / grad_norm) if grad_norm > 0 else np.zeros_like(grad)
    with np.errstate(all="ignore"):
        loss = [probe.loss_at(theta + a * update) for a in ALPHAS]
        gradient_loss = [probe.loss_at(theta + a * downhill) for a in ALPHAS]
    return {"step": values.step, "alpha": ALPHAS.tolist(), "loss": loss,
            "gradient_loss": gradient_loss, "step_length": length, "batch": len(probe.batch),
            "of": len(record.batch), "dropout_off": probe.dropout}
