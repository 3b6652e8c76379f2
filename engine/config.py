"""The run's config: one pydantic model, every default filled in, every field checked by name."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_serializer, model_validator

from .datasets import CUSTOM, DATASETS, task_of
from .features import FEATURES
from .inits import INITS
from .layers import LAYERS
from .config_layers import HiddenLayer, hidden_kinds  # noqa: F401 (hidden_kinds: read from here too)
from .custom_rules import check_custom_points
from .layer_rules import check_layers
from .layers.recurrent import IDENTITY
from .limits import DEFAULT_SEQ_LEN, LIMITS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .regularization import CLIPS
from .config_errors import ConfigError, field_path, pydantic_message

RECURRENT_INITS = (*INITS, IDENTITY)




def _choice(registry):
    """A Literal type admitting exactly the registry's names."""
    return Literal[tuple(registry)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False,
                              validate_default=True)


Rate = Annotated[float, Field(ge=0.0, lt=1.0)]


class DatasetConfig(_Strict):
    name: _choice(DATASETS) = Field("spiral", description="which data set (2-D points, sequences or images)")
    seq_len: int | None = Field(None, ge=LIMITS["min_seq_len"], le=LIMITS["max_seq_len"],
                                description=f"a sequence set's length T ({DEFAULT_SEQ_LEN} unless named)")
    n_samples: int = Field(500, ge=LIMITS["min_samples"], le=LIMITS["max_samples"],
                           description="points in train and test together")
    noise: float = Field(0.0, ge=0.0, le=50.0, description="Playground's noise, 0..50")
    train_fraction: float = Field(0.5, ge=0.1, le=0.9, description="share of points used to train")
    n_classes: int = Field(2, ge=2, le=max(LIMITS["max_classes"], LIMITS["max_image_classes"]),
                           description="classes, for the points sets that offer more than two (an "
                                       "image set has its own)")
    features: list[_choice(FEATURES)] = Field(["x1", "x2"], min_length=1, max_length=len(FEATURES),
                                              description="inputs computed from each point")
    standardize: bool = Field(False, description="scale inputs to zero mean and unit variance")
    points: list[Annotated[list[float], Field(min_length=3, max_length=3)]] | None = Field(
        None, description="the custom set's points [x1, x2, y]: y a class, or a value for regression "
                          "(a generated set ignores them)")
    task: Literal["classification", "regression"] | None = Field(
        None, description="the custom set's task (classification unless named)")

    @model_validator(mode="after")
    def _defaults_of_the_set(self) -> "DatasetConfig":
        """A sequence set's length, DEFAULT_SEQ_LEN unless named; an image set's classes (and a
        real set's images) its own; the custom set's n_samples, its points' count, and its task,
        classification unless named."""
        spec = DATASETS[self.name]
        if self.seq_len is None and spec.input_kind == "sequence":
            self.seq_len = DEFAULT_SEQ_LEN
        if spec.input_kind == "image":
            self.n_classes = spec.max_classes
            self.n_samples = spec.samples or self.n_samples
        if self.name != CUSTOM.name:  # a generated set makes its own: a merge away from custom leaves them
            self.points = self.task = None
        elif self.points is not None:
            self.n_samples = len(self.points)
            self.task = self.task or "classification"
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler) -> dict:
        """A generated set is dumped without seq_len (points), points and task, as every config
        before them reads."""
        data = handler(self)
        for key in ("seq_len", "points", "task"):
            if data.get(key) is None:
                del data[key]
        return data


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
    recurrent_init: Literal[RECURRENT_INITS] | None = Field(
        None, description="how W_h starts: an init per H×H block, or identity (rnn only); "
                          "orthogonal unless named")
    forget_bias: float | None = Field(None, ge=-10.0, le=10.0,
                                      description="where an lstm's forget-gate bias starts; 1 unless named")

    @model_validator(mode="after")
    def _recurrent_defaults(self) -> "NetworkConfig":
        """recurrent_init and forget_bias mean something only with a layer that reads them: filled
        in there when not named, dropped elsewhere (so a points net dumps as it always did)."""
        kinds = {layer.kind for layer in self.hidden}
        recurrent = any(LAYERS[kind].recurrent for kind in kinds)
        self.recurrent_init = (self.recurrent_init or "orthogonal") if recurrent else None
        self.forget_bias = (1.0 if self.forget_bias is None else self.forget_bias) if "lstm" in kinds else None
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler) -> dict:
        """Without the recurrent fields a network has no use for."""
        return {key: value for key, value in handler(self).items()
                if value is not None or key not in ("recurrent_init", "forget_bias")}

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
    l1: float = Field(0.0, ge=0.0, le=10.0, description="L1 penalty on weights (W, K, W_x, W_h; never biases)")
    l2: float = Field(0.0, ge=0.0, le=10.0, description="L2 penalty on weights (W, K, W_x, W_h; never biases)")
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


def n_train(dataset: DatasetConfig) -> int:
    """Training points the split yields for this dataset config."""
    n = dataset.n_samples
    return max(1, min(n - 1, round(n * dataset.train_fraction)))


def _check_combinations(config: Config) -> None:
    """Reject combinations that no single field's range can rule out."""
    data, training = DATASETS[config.dataset.name], config.training
    loss = LOSSES[training.loss]
    task = task_of(data.name, config.dataset.task)
    if len(set(config.dataset.features)) != len(config.dataset.features):
        raise ConfigError("dataset.features", "lists a feature twice")
    check_custom_points(config.dataset)
    if config.dataset.n_classes > data.max_classes and task == "classification":
        raise ConfigError("dataset.n_classes",
                          f"{data.name} has at most {data.max_classes} classes")
    if task not in loss.tasks:
        raise ConfigError("training.loss", f"{loss.name} needs a classification set; "
                          f"{data.name} is a regression set (use mse)")
    if task == "classification" and config.dataset.n_classes > loss.max_classes:
        raise ConfigError("training.loss", f"{loss.name} separates two classes; "
                          f"{config.dataset.n_classes} need cross_entropy")
    if training.batch_size > n_train(config.dataset):
        raise ConfigError("training.batch_size", f"must be at most the training set's "
                          f"{n_train(config.dataset)} points (got {training.batch_size})")
    if config.network.batch_norm and training.batch_size == 1:
        raise ConfigError("training.batch_size", "batch norm needs batches of at least 2")
    check_layers(config)


def validate_config(data) -> Config:
    """Parse a config document ({} is valid) into a Config, or raise ConfigError naming the field."""
    if not isinstance(data, dict):
        raise ConfigError("", f"a config must be a JSON object (got {type(data).__name__})")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ConfigError(field_path(error["loc"]), pydantic_message(error)) from None
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


# The custom set's points change live (a person drawing), while its task and classes stay.
CUSTOM_LIVE = {"points", "n_samples"}


def live_fields(old: Config, new: Config) -> dict:
    """LIVE_FIELDS, with the custom set's points when both configs train on it with one task."""
    if old.dataset.name == new.dataset.name == CUSTOM.name and old.dataset.task == new.dataset.task:
        return {**LIVE_FIELDS, "dataset": CUSTOM_LIVE}
    return LIVE_FIELDS


def rebuild_fields(old: Config, new: Config) -> list[str]:
    """Dotted paths of the changed fields that start a new run (those not live)."""
    before, after = old.model_dump(), new.model_dump()
    changed = ["seed"] if before["seed"] != after["seed"] else []
    fields = live_fields(old, new)
    for section in ("dataset", "network", "training"):
        live = fields.get(section, set())
        keys = [*before[section], *(k for k in after[section] if k not in before[section])]  # a field may come or go
        changed += [f"{section}.{key}" for key in keys
                    if key not in live and before[section].get(key) != after[section].get(key)]
    return changed


def live_changes(old: Config, new: Config) -> dict:
    """The partial config of live fields that differ, e.g. {"training": {"learning_rate": 0.01}}."""
    before, after = old.model_dump(), new.model_dump()
    changes = {}
    for section, fields in live_fields(old, new).items():
        diff = {k: after[section][k] for k in sorted(fields) if before[section][k] != after[section][k]}
        if diff:
            changes[section] = diff
    return changes
