"""Backprop Lab's engine: a pure-NumPy network that shows every step of its own training."""
from .catalog import catalog
from .config import LIMITS, Config, ConfigError, validate_config
from .explain import ExplainError
from .health import health
from .layers import LAYERS
from .panel_data import summarize
from .recorder import STEP_SCALARS
from .stats import LAYER_STATS
from .steps import PhaseRecord, StepRecord
from .strict_json import encode
from .trace_loader import TraceError, load_trace, parse_trace
from .trainer import Trainer
from .training import Reconfigured

__all__ = ["LAYERS", "LAYER_STATS", "LIMITS", "STEP_SCALARS", "Config", "ConfigError", "ExplainError",
           "PhaseRecord", "Reconfigured", "StepRecord", "TraceError", "Trainer", "catalog", "encode",
           "health", "load_trace", "parse_trace", "summarize", "validate_config"]
