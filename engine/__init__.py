"""Backprop Lab's engine: a pure-NumPy network that shows every step of its own training."""
from .catalog import catalog
from .config import LIMITS, Config, ConfigError, validate_config
from .trainer import PhaseRecord, Reconfigured, StepRecord, Trainer

__all__ = ["LIMITS", "Config", "ConfigError", "PhaseRecord", "Reconfigured", "StepRecord",
           "Trainer", "catalog", "validate_config"]
