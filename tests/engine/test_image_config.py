"""The config of a network on images (issue 15, 'Limits and bad input'): every refused combination
a ConfigError naming the field and, where shapes are at fault, the shapes; an image layer's
fields filled in from its kind and dumped only for it."""
import pytest

from engine import ConfigError, validate_config

CE = {"training": {"loss": "cross_entropy"}}


def conv(**fields):
    return {"kind": "conv2d", **fields}


def on(name, hidden, **network):
    return {"dataset": {"name": name}, "network": {"hidden": hidden, **network}, **CE}


REFUSED = [  # (config, field, message)
    (on("digits", [conv(padding=1), {"kind": "max_pool"}, {"kind": "max_pool"}, {"kind": "max_pool"}, {"kind": "max_pool"}]),
     "network.hidden.4", "max_pool of size 2 on a 1×1 map leaves nothing"),
    (on("digits", [conv(kernel=3), conv(kernel=3), conv(kernel=5)]), "network.hidden.2.kernel",
     "a 5×5 kernel is larger than its padded input 4×4 (8 channels of 4×4, padding 0)"),
    (on("digits", [conv(stride=4, kernel=2), {"kind": "avg_pool", "size": 3}]), "network.hidden.1",
     "avg_pool of size 3 on a 2×2 map leaves nothing"),
    (on("digits", [conv(kernel=3, padding=2)]), "network.hidden.0.padding",
     "padding 2 is more than half the 3×3 kernel (at most 1, as torch)"),
    (on("digits", [conv(kernel=8)]), "network.hidden.0.kernel", "must be at most 7 (got 8)"),
    (on("digits", [conv(channels=33)]), "network.hidden.0.channels", "must be at most 32 (got 33)"),
    (on("digits", [conv(padding=1)] * 7), "network.hidden", "at most 6 conv2d layers (got 7)"),
    (on("digits", [{"kind": "max_pool", "size": 5}]), "network.hidden.0.size", "must be at most 4 (got 5)"),
    (on("digits", [{"units": 8}, conv()]), "network.hidden.1.kind",
     "a conv2d layer cannot follow a dense one (a dense layer flattens the maps)"),
    (on("digits", [{"kind": "lstm", "units": 4}]), "network.hidden.0.kind",
     "an lstm layer needs sequence data; 'digits' is images"),
    (on("tees", [{"kind": "rnn", "units": 4}]), "network.hidden.0.kind",
     "an rnn layer needs sequence data; 'tees' is images"),
    (on("spiral", [conv()]), "network.hidden.0.kind", "a conv2d layer needs image data; 'spiral' is 2-D points"),
    ({"dataset": {"name": "adding"}, "network": {"hidden": [{"kind": "lstm", "units": 4}, {"kind": "max_pool"}]},
      "training": {"loss": "mse"}}, "network.hidden.1.kind", "a max_pool layer needs image data; 'adding' is sequences"),
    (on("digits", [conv(units=4)]), "network.hidden.0.units",
     "a conv2d layer has no units (it reads channels, kernel, stride, padding)"),
    (on("digits", [{"units": 4, "kernel": 3}]), "network.hidden.0.kernel", "a dense layer has no kernel (it reads units)"),
    (on("digits", [{"kind": "max_pool", "activation": "relu"}]), "network.hidden.0.activation",
     "a max_pool layer has no activation (it passes its windows on as they are)"),
    (on("digits", [conv()], batch_norm=True), "network.batch_norm",
     "applies to the dense layers of a points set, not to 'digits''s images"),
    ({**on("bars", [conv()]), "dataset": {"name": "bars", "seq_len": 5}}, "dataset.seq_len",
     "'bars' is images, not sequences"),
    ({"dataset": {"name": "digits"}, "training": {"loss": "bce"}}, "training.loss",
     "bce separates two classes; 10 need cross_entropy"),
]


@pytest.mark.parametrize("config,field,message", REFUSED, ids=[r[1] + ":" + r[2][:30] for r in REFUSED])
def test_a_refused_image_config_names_its_field_and_shapes(config, field, message):
    with pytest.raises(ConfigError) as caught:
        validate_config(config)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_an_image_layer_gets_its_kinds_defaults_and_dumps_only_its_fields():
    config = validate_config(on("digits", [conv(), {"kind": "avg_pool"}, {"units": 6}]))
    assert config.model_dump()["network"]["hidden"] == [
        {"kind": "conv2d", "activation": "tanh", "channels": 8, "kernel": 3, "stride": 1, "padding": 0},
        {"kind": "avg_pool", "size": 2}, {"units": 6, "activation": "tanh"}]
    assert validate_config(config.model_dump()) == config


def test_a_dense_net_on_pixels_flattens_the_image():
    config = validate_config(on("digits", [{"units": 16, "activation": "relu"}]))
    assert config.network.hidden[0].units == 16
