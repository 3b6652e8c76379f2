"""The run's config: one pydantic model, every default filled in, every field checked by name."""
import json
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_serializer
from pydantic_core import PydanticCustomError

from .activations import ACTIVATIONS
from .datasets import DATASETS
from .features import FEATURES
from .inits import INITS
from .layers import LAYERS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .regularization import CLIPS
from .quote import quote

MAX_KEY_CHARS = 60  # of an unknown key quoted in an error's field path

LIMITS = {
    "max_hidden_layers": 32,
    "max_units": 256,
    "min_samples": 10,
    "max_samples": 4096,
    "max_batch_size": 1024,
    "max_classes": 5,
}


class ConfigError(ValueError):
    """A config rejected, with the dotted path of the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def _choice(registry):
    """A Literal type admitting exactly the registry's names."""
    return Literal[tuple(registry)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False,
                              validate_default=True)


Rate = Annotated[float, Field(ge=0.0, lt=1.0)]


def hidden_kinds() -> list[str]:
    """The layer kinds a `network.hidden` entry may name (the registry's, read when validating)."""
    return [kind for kind, layer in LAYERS.items() if layer.in_hidden]


class HiddenLayer(_Strict):
    kind: str = Field("dense", description="the layer's kind; no kind means dense",
                      json_schema_extra=lambda schema: schema.update(enum=hidden_kinds()))
    units: int = Field(4, ge=1, le=LIMITS["max_units"], description="neurons in the layer")
    activation: _choice(ACTIVATIONS) = Field("tanh", description="applied after the layer's z")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in hidden_kinds():
            raise PydanticCustomError("literal_error", "Input should be one of {expected}",
                                      {"expected": ", ".join(map(repr, hidden_kinds()))})
        return kind

    @model_serializer(mode="wrap")
    def _dump(self, handler) -> dict:
        """A dense layer is dumped without its kind, as every config before kinds reads."""
        data = handler(self)
        if data.get("kind") == "dense":
            del data["kind"]
        return data


class DatasetConfig(_Strict):
    name: _choice(DATASETS) = Field("spiral", description="which 2-D data set")
    n_samples: int = Field(500, ge=LIMITS["min_samples"], le=LIMITS["max_samples"],
                           description="points in train and test together")
    noise: float = Field(0.0, ge=0.0, le=50.0, description="Playground's noise, 0..50")
    train_fraction: float = Field(0.5, ge=0.1, le=0.9, description="share of points used to train")
    n_classes: int = Field(2, ge=2, le=LIMITS["max_classes"],
                           description="classes, for the sets that offer more than two")
    features: list[_choice(FEATURES)] = Field(["x1", "x2"], min_length=1, max_length=len(FEATURES),
                                              description="inputs computed from each point")
    standardize: bool = Field(False, description="scale inputs to zero mean and unit variance")


def _default_hidden():
    """Playground's default network: 4 then 2 tanh units."""
    return [HiddenLayer(units=4), HiddenLayer(units=2)]


class NetworkConfig(_Strict):
    hidden: list[HiddenLayer] = Field(default_factory=_default_hidden,
                                      max_length=LIMITS["max_hidden_layers"],
                                      description="hidden layers, input side first")
    init: _choice(INITS) = Field("xavier_uniform", description="how weights start")
    init_gain: float = Field(1.0, ge=0.0, le=100.0, description="g, scales the init")
    bias_init: float = Field(0.0, ge=-10.0, le=10.0, description="value every bias starts at")
    batch_norm: bool = Field(False, description="batch norm after each hidden dense layer")
    residual: bool = Field(False, description="add each hidden layer's input where widths match")
    dropout: float = Field(0.0, ge=0.0, le=0.9, description="share of hidden units dropped in training")

    @field_validator("init_gain")
    @classmethod
    def _no_negative_zero(cls, gain: float) -> float:
        """-0.0 passes `ge=0` but would make an init's bounds (+0, -0): read it as 0."""
        return gain + 0.0


class TrainingConfig(_Strict):
    loss: _choice(LOSSES) = Field("bce", description="what the network minimizes")
    optimizer: _choice(OPTIMIZERS) = Field("sgd", description="update rule")
    learning_rate: float = Field(0.03, gt=0.0, le=100.0, description="step size")
    momentum: Rate = Field(0.9, description="momentum and nesterov: decay of the running sum")
    rho: Rate = Field(0.99, description="rmsprop: decay of the squared-gradient average")
    beta1: Rate = Field(0.9, description="adam: decay of the first moment")
    beta2: Rate = Field(0.999, description="adam: decay of the second moment")
    eps: float = Field(1e-8, gt=0.0, le=1.0, description="rmsprop and adam: added to the denominator")
    batch_size: int = Field(10, ge=1, le=LIMITS["max_batch_size"], description="examples per step")
    l1: float = Field(0.0, ge=0.0, le=10.0, description="L1 penalty on dense weights")
    l2: float = Field(0.0, ge=0.0, le=10.0, description="L2 penalty on dense weights")
    weight_decay: float = Field(0.0, ge=0.0, le=10.0, description="adamw: decoupled decay")
    clip: _choice(CLIPS) = Field("none", description="gradient clipping")
    clip_threshold: float = Field(1.0, gt=0.0, le=1e6, description="clipping's norm or value bound")
    dtype: Literal["float64", "float32"] = Field("float64", description="floating-point precision")


class Config(_Strict):
    seed: int = Field(0, ge=0, le=2**32 - 1, description="seeds data, init, batch order and dropout")
    dataset: DatasetConfig = Field(default_factory=DatasetConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)


# Changing any of these starts a new run; every other field changes live, keeping the weights.
LIVE_FIELDS = {"network": {"dropout"},
               "training": set(TrainingConfig.model_fields) - {"loss", "dtype"}}


def _message(error) -> str:
    """A short human message for one pydantic error."""
    kind, ctx, got = error["type"], error.get("ctx", {}), error.get("input")
    bounds = {"greater_than_equal": "at least {ge}", "greater_than": "greater than {gt}",
              "less_than_equal": "at most {le}", "less_than": "less than {lt}"}
    if kind in bounds:
        return f"must be {bounds[kind].format(**ctx)} (got {quote(got)})"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']} (got {quote(got)})"
    if kind == "too_long":
        return f"must have at most {ctx['max_length']} items"
    return error["msg"].lower()


def n_train(dataset: DatasetConfig) -> int:
    """Training points the split yields for this dataset config."""
    n = dataset.n_samples
    return max(1, min(n - 1, round(n * dataset.train_fraction)))


def _check_combinations(config: Config) -> None:
    """Reject combinations that no single field's range can rule out."""
    data, training = DATASETS[config.dataset.name], config.training
    loss = LOSSES[training.loss]
    if len(set(config.dataset.features)) != len(config.dataset.features):
        raise ConfigError("dataset.features", "lists a feature twice")
    if config.dataset.n_classes > data.max_classes and data.task == "classification":
        raise ConfigError("dataset.n_classes",
                          f"{data.name} has at most {data.max_classes} classes")
    if data.task not in loss.tasks:
        raise ConfigError("training.loss", f"{loss.name} needs a classification set; "
                          f"{data.name} is a regression set (use mse)")
    if data.task == "classification" and config.dataset.n_classes > loss.max_classes:
        raise ConfigError("training.loss", f"{loss.name} separates two classes; "
                          f"{config.dataset.n_classes} need cross_entropy")
    if training.batch_size > n_train(config.dataset):
        raise ConfigError("training.batch_size", f"must be at most the training set's "
                          f"{n_train(config.dataset)} points (got {training.batch_size})")
    if config.network.batch_norm and training.batch_size == 1:
        raise ConfigError("training.batch_size", "batch norm needs batches of at least 2")


PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def field_path(loc) -> str:
    """A pydantic error location as a dotted path (`network.hidden.0.units`); a key that is not a
    plain name ("a.b", "0[0", "") is written quoted in brackets (`["0[0"]`), so the path reads
    one way only."""
    out = ""
    for part in loc:
        if isinstance(part, int) or PLAIN_NAME.match(part):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(part[:MAX_KEY_CHARS])}]"
    return out


def validate_config(data) -> Config:
    """Parse a config document ({} is valid) into a Config, or raise ConfigError naming the field."""
    if not isinstance(data, dict):
        raise ConfigError("", f"a config must be a JSON object (got {type(data).__name__})")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ConfigError(field_path(error["loc"]), _message(error)) from None
    _check_combinations(config)
    return config


def merge(base: dict, partial: dict) -> dict:
    """Deep-merge a partial config into a full one; lists and scalars replace whole."""
    out = dict(base)
    for key, value in partial.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def rebuild_fields(old: Config, new: Config) -> list[str]:
    """Dotted paths of the changed fields that start a new run (those not in LIVE_FIELDS)."""
    before, after = old.model_dump(), new.model_dump()
    changed = ["seed"] if before["seed"] != after["seed"] else []
    for section in ("dataset", "network", "training"):
        live = LIVE_FIELDS.get(section, set())
        changed += [f"{section}.{key}" for key, value in before[section].items()
                    if key not in live and value != after[section][key]]
    return changed


def live_changes(old: Config, new: Config) -> dict:
    """The partial config of live fields that differ, e.g. {"training": {"learning_rate": 0.01}}."""
    before, after = old.model_dump(), new.model_dump()
    changes = {}
    for section, fields in LIVE_FIELDS.items():
        diff = {k: after[section][k] for k in sorted(fields) if before[section][k] != after[section][k]}
        if diff:
            changes[section] = diff
    return changes
