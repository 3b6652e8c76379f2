"""The rules that pair a network's layer kinds with its data: which kinds a points, a sequence or
an image set may hold (the image nets' own in image_rules.py), in what order, how many and how
wide, with which fields and activations."""
from .config_errors import ConfigError
from .config_layers import SHAPE_FIELDS
from .datasets import DATASETS
from .image_rules import check_image_layers
from .layers import LAYERS
from .layers.recurrent import IDENTITY
from .limits import LIMITS
from .quote import quote


INPUT_WORDS = {"points": "2-D points", "sequence": "sequences", "image": "images"}
NEEDS = {"recurrent": "sequence", "image": "image"}  # a layer kind's flag -> the input kind it needs


def _needs(kind) -> str | None:
    """The input kind a layer kind needs (None: any; a dense layer reads every kind)."""
    return next((needed for flag, needed in NEEDS.items() if getattr(kind, flag)), None)


def _article(kind: str) -> str:
    """`a` or `an` before a kind's name, as it is read: an avg_pool, an lstm and an rnn (said
    letter by letter), a conv2d."""
    return "an" if kind[0] in "aeiou" or kind in ("lstm", "rnn") else "a"


def check_layers(config) -> None:
    """Each hidden layer's kind, fields and activation against the data's input kind and the limits."""
    data, network = DATASETS[config.dataset.name], config.network
    kinds = [LAYERS[layer.kind] for layer in network.hidden]
    for k, (layer, kind) in enumerate(zip(network.hidden, kinds)):
        _check_fields(k, layer, kind)
    for k, kind in enumerate(kinds):
        needed = _needs(kind)
        if needed is not None and needed != data.input_kind:
            raise ConfigError(f"network.hidden.{k}.kind", f"{_article(kind.kind)} {kind.kind} layer needs "
                              f"{needed} data; {data.name!r} is {INPUT_WORDS[data.input_kind]}")
    if data.input_kind != "sequence" and config.dataset.seq_len is not None:
        raise ConfigError("dataset.seq_len", f"{data.name!r} is {INPUT_WORDS[data.input_kind]}, not sequences")
    if data.input_kind != "points":
        for option in ("batch_norm", "residual"):
            if getattr(network, option):
                raise ConfigError(f"network.{option}", f"applies to the dense layers of a points set, "
                                  f"not to {data.name!r}'s {INPUT_WORDS[data.input_kind]}")
    if data.input_kind == "image":
        check_image_layers(network, kinds, data.shape)
    elif data.input_kind == "sequence":
        _check_recurrent_layers(config, kinds)


def _check_fields(k: int, layer, kind) -> None:
    """A layer's activation, and no field its kind does not read."""
    given = layer.model_fields_set
    if kind.activations == () and "activation" in given and layer.activation:
        why = "its gates have their own" if kind.recurrent else "it passes its windows on as they are"
        raise ConfigError(f"network.hidden.{k}.activation", f"{_article(layer.kind)} {layer.kind} layer has no "
                          f"activation ({why})")
    if kind.activations and layer.activation not in kind.activations:
        raise ConfigError(f"network.hidden.{k}.activation", f"an {layer.kind} layer's activation is "
                          f"{' or '.join(kind.activations)} (got {quote(layer.activation)})")
    for name in ("units", *SHAPE_FIELDS):
        if name in given and name not in kind.config_fields:
            raise ConfigError(f"network.hidden.{k}.{name}", f"{_article(layer.kind)} {layer.kind} layer has "
                              f"no {name} (it reads {', '.join(kind.config_fields)})")


def _check_recurrent_layers(config, kinds) -> None:
    """A sequence net: its recurrent layers first, how many and how wide, and their init."""
    data, network = DATASETS[config.dataset.name], config.network
    recurrent = [k for k, kind in enumerate(kinds) if kind.recurrent]
    if recurrent[:1] != [0]:
        raise ConfigError("network.hidden.0.kind", f"{data.name!r} is sequences: the network starts "
                          "with a recurrent layer (rnn or lstm)")
    after_dense = next((k for k in recurrent if k > 0 and not kinds[k - 1].recurrent), None)
    if after_dense is not None:
        raise ConfigError(f"network.hidden.{after_dense}.kind",
                          "a recurrent layer cannot follow a dense one")
    if len(recurrent) > LIMITS["max_recurrent_layers"]:
        raise ConfigError("network.hidden", f"at most {LIMITS['max_recurrent_layers']} recurrent layers "
                          f"(got {len(recurrent)})")
    for k in recurrent:
        if network.hidden[k].units > LIMITS["max_recurrent_units"]:
            raise ConfigError(f"network.hidden.{k}.units", f"a recurrent layer has at most "
                              f"{LIMITS['max_recurrent_units']} units (got {network.hidden[k].units})")
    if network.recurrent_init == IDENTITY and any(network.hidden[k].kind == "lstm" for k in recurrent):
        raise ConfigError("network.recurrent_init", "identity is for rnn layers (IRNN); an lstm "
                          "layer starts from another init")
