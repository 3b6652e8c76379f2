"""Traces of image runs (issue 15, point 5): the layers' kinds, shapes and settings, the data as
(N, C, H, W), and an export read back and replayed bitwise, live changes and a mid-phase edit
included."""
import numpy as np

from engine import Trainer, encode
from engine.replay import replay
from engine.trace_loader import TraceError, parse_trace

CONFIG = {"seed": 1, "dataset": {"name": "tees", "n_samples": 80, "noise": 15},
          "network": {"hidden": [{"kind": "conv2d", "channels": 3, "kernel": 3, "stride": 1, "padding": 1,
                                  "activation": "relu"},
                                 {"kind": "max_pool", "size": 2},
                                 {"kind": "conv2d", "channels": 4, "kernel": 3, "stride": 2, "activation": "tanh"},
                                 {"kind": "avg_pool", "size": 2},
                                 {"units": 5, "activation": "relu"}], "dropout": 0.1},
          "training": {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 8}}


def test_an_image_trace_names_its_layers_and_replays_bitwise():
    trainer = Trainer(CONFIG, snapshot_every=10)
    trainer.run(15)
    trainer.reconfigure({"training": {"learning_rate": 0.02}, "network": {"dropout": 0.2}})
    for _ in range(4):
        trainer.phase()
    trainer.set_param(0, "K", [1, 0, 2, 2], 0.5)
    while trainer.mid_step:
        trainer.phase()
    trainer.run(10)
    trace = trainer.export_trace()
    assert trace["layers"][:4] == [
        {"name": "conv1", "kind": "conv2d", "in_shape": [1, 12, 12], "out_shape": [3, 12, 12], "channels": 3,
         "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
        {"name": "max_pool2", "kind": "max_pool", "in_shape": [3, 12, 12], "out_shape": [3, 6, 6], "size": 2,
         "activation": None},
        {"name": "conv3", "kind": "conv2d", "in_shape": [3, 6, 6], "out_shape": [4, 2, 2], "channels": 4,
         "kernel": 3, "stride": 2, "padding": 0, "activation": "tanh"},
        {"name": "avg_pool4", "kind": "avg_pool", "in_shape": [4, 2, 2], "out_shape": [4, 1, 1], "size": 2,
         "activation": None}]
    assert trace["layers"][4] == {"name": "dense5", "kind": "dense", "fan_in": 4, "fan_out": 5, "in_shape": [4, 1, 1],
                                  "activation": "relu"}
    assert trace["data"]["x_train"].shape == (40, 1, 12, 12) and trace["data"]["y_train"].shape == (40,)
    assert trace["initial"]["params"][1] == {} and trace["initial"]["params"][0]["K"].shape == (3, 1, 3, 3)
    raw = encode(trace)
    replayed = replay(parse_trace(raw))
    again = replayed.export_trace()
    assert replayed.steps == trainer.steps == 26
    assert again["events"] == trace["events"] and len(trace["events"]) == 2
    assert encode(again["steps"]) == encode(trace["steps"])
    assert np.array_equal(replayed.net.store.theta, trainer.net.store.theta)


def test_the_loader_refuses_images_of_the_wrong_shape_naming_the_part():
    trainer = Trainer(CONFIG)
    trainer.run(2)
    trace = trainer.export_trace()
    trace["data"]["x_test"] = trace["data"]["x_test"][:, :, :10]
    try:
        parse_trace(encode(trace))
    except TraceError as error:
        assert str(error) == "data.x_test: must have shape [1, 12, 12] per example"
    else:
        raise AssertionError("a trace with 12×10 images was read")
