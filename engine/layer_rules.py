"""The rules that pair a network's layer kinds with its data: which kinds a points or a sequence
set may hold, in what order, how many and how wide, and with which activations."""
from .config_errors import ConfigError
from .datasets import DATASETS
from .layers import LAYERS
from .layers.recurrent import IDENTITY
from .limits import LIMITS
from .quote import quote


def check_layers(config) -> None:
    """Each hidden layer's kind and activation against the data's input kind and the limits."""
    data, network = DATASETS[config.dataset.name], config.network
    kinds = [LAYERS[layer.kind] for layer in network.hidden]
    for k, (layer, kind) in enumerate(zip(network.hidden, kinds)):
        if kind.activations == () and "activation" in layer.model_fields_set and layer.activation:
            raise ConfigError(f"network.hidden.{k}.activation",
                              f"an {layer.kind} layer has no activation (its gates have their own)")
        if kind.activations and layer.activation not in kind.activations:
            raise ConfigError(f"network.hidden.{k}.activation", f"an {layer.kind} layer's activation is "
                              f"{' or '.join(kind.activations)} (got {quote(layer.activation)})")
    recurrent = [k for k, kind in enumerate(kinds) if kind.recurrent]
    if data.input_kind == "points":
        if config.dataset.seq_len is not None:
            raise ConfigError("dataset.seq_len", f"{data.name!r} is 2-D points, not sequences")
        if recurrent:
            k = recurrent[0]
            raise ConfigError(f"network.hidden.{k}.kind", f"an {network.hidden[k].kind} layer needs "
                              f"sequence data; {data.name!r} is 2-D points")
        return
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
    for option in ("batch_norm", "residual"):
        if getattr(network, option):
            raise ConfigError(f"network.{option}", f"applies to the dense layers of a points set, "
                              f"not to {data.name!r}'s sequences")
