"""One entry of `network.hidden`: its kind and the fields that kind reads (units; or a conv
layer's channels, kernel, stride and padding; or a pool's size), every other field left out."""
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from .activations import ACTIVATIONS
from .layers import LAYERS
from .limits import LIMITS
from typing import Literal

SHAPE_FIELDS = ("channels", "kernel", "stride", "padding", "size")  # read by the image kinds only


def hidden_kinds() -> list[str]:
    """The layer kinds a `network.hidden` entry may name (the registry's, read when validating)."""
    return [kind for kind, layer in LAYERS.items() if layer.in_hidden]


class HiddenLayer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, validate_default=True)

    kind: str = Field("dense", description="the layer's kind; no kind means dense",
                      json_schema_extra=lambda schema: schema.update(enum=hidden_kinds()))
    units: int = Field(4, ge=1, le=LIMITS["max_units"], description="neurons in the layer")
    activation: Literal[tuple(ACTIVATIONS)] | None = Field(
        None, description="applied after the layer's z (tanh unless named; an lstm and a pool have none)")
    channels: int | None = Field(None, ge=1, le=LIMITS["max_conv_channels"],
                                 description="a conv2d layer's output channels (8 unless named)")
    kernel: int | None = Field(None, ge=1, le=LIMITS["max_kernel"],
                               description="a conv2d layer's kernel side k (3 unless named)")
    stride: int | None = Field(None, ge=1, le=LIMITS["max_stride"],
                               description="a conv2d layer's stride (1 unless named)")
    padding: int | None = Field(None, ge=0, le=LIMITS["max_kernel"] // 2,
                                description="a conv2d layer's zero padding on each side (0 unless named)")
    size: int | None = Field(None, ge=2, le=LIMITS["max_pool_size"],
                             description="a pool's window side, and its stride (2 unless named)")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in hidden_kinds():
            raise PydanticCustomError("literal_error", "Input should be one of {expected}",
                                      {"expected": ", ".join(map(repr, hidden_kinds()))})
        return kind

    @model_validator(mode="after")
    def _defaults_of_the_kind(self) -> "HiddenLayer":
        """tanh for a kind that has an activation and names none; the shape fields the kind reads
        filled in from its defaults, the others dropped (layer_rules names one given in vain)."""
        layer, given = LAYERS[self.kind], set(self.model_fields_set)
        if self.activation is None and layer.activations != ():
            self.activation = "tanh"
        for name in SHAPE_FIELDS:
            if name not in layer.config_fields:
                setattr(self, name, None)
            elif getattr(self, name) is None:
                setattr(self, name, layer.config_fields[name])
        self.__pydantic_fields_set__ -= set(SHAPE_FIELDS) - given  # filled in, not given
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler) -> dict:
        """A dense layer is dumped without its kind, as every config before kinds reads; a layer
        with no activation (an lstm, a pool) without one; only the fields its kind reads."""
        data = handler(self)
        if data.get("kind") == "dense":
            del data["kind"]
        if "units" not in LAYERS[self.kind].config_fields:
            del data["units"]
        return {key: value for key, value in data.items()
                if value is not None or key not in ("activation", *SHAPE_FIELDS)}
