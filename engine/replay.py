"""Re-running a trace: its config, then its events (live config changes and parameter edits) at
their steps, to its last recorded step."""
from .trainer import Trainer


def replay(trace: dict) -> Trainer:
    """A new Trainer that re-runs the trace's config with its events, to its last recorded step."""
    trainer = Trainer(trace["config"])
    last = trace["steps"][-1]["step"] if trace["steps"] else 0
    for event in sorted(trace["events"], key=lambda e: e["step"]):
        _run_to(trainer, event["step"])
        if "set_param" in event:
            trainer.set_param(**event["set_param"])
        else:
            trainer.reconfigure(event["config"])
    _run_to(trainer, last)
    return trainer


def _run_to(trainer, step: int) -> None:
    """Step until `trainer.steps == step` (a refused step ends the replay early)."""
    while trainer.steps < step:
        if not trainer.step().applied:
            return
