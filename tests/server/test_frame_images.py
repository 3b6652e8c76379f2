"""An image net's frames (issue 15, points 4 and 5): feature maps and dL/dA per conv and pool
entry, kernels summarized within a bound, the shown example with its saliency, the test gallery
and confusion matrix, decoded against the engine's values; the largest image net's heavy frame
within the transport bound; explain on a kernel weight over the socket."""
import numpy as np
import pytest

from engine import LIMITS, Trainer
from engine.images import IMAGES
from engine.panel_data import MAX_BLOCK_VALUES, summarize
from server import frames
from server.encoding import unpack
from server.replies import SERVER_ADAPTER, Frame, reply
from server.settings import Settings

CNN = {"seed": 2, "dataset": {"name": "digits"},
       "network": {"hidden": [{"kind": "conv2d", "channels": 4, "padding": 1, "activation": "relu"},
                              {"kind": "max_pool", "size": 2}]},
       "training": {"batch_size": 16, "loss": "cross_entropy"}}


def frame_of(trainer) -> dict:
    body = reply(Frame, run=1, step=trainer.steps, epoch=trainer.epoch, status="paused",
                 scalars=frames.scalars(trainer.recorder.since(0), trainer.recorder), metrics=trainer.evaluate(),
                 evaluations={"count": 0}, layers=trainer.layers)
    body["detail"] = frames.detail(trainer.detail(planes=True))
    body["health"] = trainer.health()
    SERVER_ADAPTER.validate_python(body)
    return body


def test_image_detail_as_sent_decodes_to_the_engines_values():
    trainer = Trainer(CNN)
    trainer.run(3)
    engine = trainer.detail()
    sent = frames.detail(engine)
    for i in (0, 1):
        maps, sent_maps = engine["layers"][i]["maps"], sent["layers"][i]["maps"]
        assert np.array_equal(unpack(sent_maps["da"]), maps["da"].astype(np.float32))
        a = unpack(sent_maps["a"])
        assert a.shape == maps["a"].shape and np.abs(a - maps["a"]).max() <= np.ptp(maps["a"]) / 254 / 2 + 1e-12
    assert sent["layers"][2]["maps"] is None
    image, sent_image = engine["image"], sent["image"]
    example = sent_image["example"]
    assert (example["example"], example["index"]) == (0, int(trainer.last_record.batch[0]))
    assert np.array_equal(unpack(example["x"]), image["example"]["x"].astype(np.float32))
    assert np.array_equal(unpack(example["saliency"]), image["example"]["saliency"].astype(np.float32))
    gallery = sent_image["gallery"]
    assert gallery["index"] == image["gallery"]["index"].tolist() and len(gallery["index"]) == 24
    assert gallery["label"] == trainer.data.y_test[image["gallery"]["index"]].tolist()
    assert gallery["predicted"] == image["gallery"]["predicted"].tolist()
    assert gallery["confidence"] == image["gallery"]["confidence"].tolist()
    assert unpack(gallery["images"]).shape == (24, 1, 8, 8)
    assert sent_image["confusion"] == image["confusion"].tolist() and len(sent_image["confusion"]) == 10
    assert sum(map(sum, sent_image["confusion"])) == len(trainer.data.y_test)


def test_a_kernel_over_the_bound_keeps_evenly_spaced_output_and_input_channels():
    kernel = np.arange(32 * 32 * 7 * 7, dtype=float).reshape(32, 32, 7, 7)
    out = summarize(kernel)
    rows, cols = out["summarized"]["rows"], out["summarized"]["cols"]
    assert out["shape"] == [32, 32, 7, 7] and out["values"].size <= MAX_BLOCK_VALUES
    assert rows[0] == cols[0] == 0 and rows[-1] == cols[-1] == 31 and len(rows) == len(cols) == 9
    assert np.array_equal(out["values"], kernel[np.ix_(rows, cols)])
    small = summarize(np.ones((8, 1, 3, 3)))
    assert "summarized" not in small and small["values"].shape == (8, 1, 3, 3)


def largest_image_net(kernel: int) -> dict:
    """The limits' largest net on the largest image set: the most conv layers, each of the most
    channels and a kernel padded to keep the image's size, then the widest dense layer. A frame's
    size does not depend on the batch or the number of samples (one example's maps, a fixed
    gallery), so both are small here to keep the test quick."""
    name = max(IMAGES, key=lambda n: np.prod(IMAGES[n].shape))
    conv = {"kind": "conv2d", "channels": LIMITS["max_conv_channels"], "kernel": kernel,
            "padding": kernel // 2, "activation": "relu"}
    return {"dataset": {"name": name, "n_samples": 40},
            "network": {"hidden": [conv] * LIMITS["max_conv_layers"] + [{"units": LIMITS["max_units"]}]},
            "training": {"batch_size": 4, "loss": "cross_entropy"}}


@pytest.mark.parametrize("kernel", [3, LIMITS["max_kernel"]])
def test_a_heavy_frame_of_the_largest_image_net_stays_within_the_transport_bound(kernel):
    trainer = Trainer(largest_image_net(kernel))
    trainer.run(2)
    body = frame_of(trainer)
    size = len(frames.to_json(body).encode())
    print(f"kernel {kernel}: {size} bytes")
    assert size <= Settings().max_transport_bytes, size
    conv = body["detail"]["layers"][5]
    assert conv["maps"]["a"]["shape"] == conv["maps"]["da"]["shape"] == [32, 12, 12]
    assert conv["weights"]["shape"] == [32, 32, kernel, kernel]
    assert np.prod(unpack(conv["grads"]["values"]).shape) <= MAX_BLOCK_VALUES


@pytest.fixture
def conv_session(connect):
    with connect() as conversation:
        conversation.send({"type": "configure", "config": CNN, "id": 1})
        conversation.expect("config", id=1, reset=True)
        conversation.until(lambda m: m["type"] == "frame")
        conversation.step(2)
        yield conversation


def test_explain_a_kernel_weight_over_the_socket(conv_session):
    conv_session.send({"type": "explain", "layer": 0, "param": "K", "index": [3, 0, 2, 1], "example": 4, "id": 5})
    reply_ = conv_session.expect("explain", id=5, layer=0, layer_name="conv1", param="K", index=[3, 0, 2, 1],
                                 example=4, step=2, complete=True)
    twin = Trainer(CNN)
    twin.run(2)
    expected = twin.explain(0, (3, 0, 2, 1), 4, "K")
    for field in ("terms", "sum", "mean", "grad", "positions", "penalty", "clip", "update"):
        assert reply_[field] == expected[field], field
    assert len(reply_["positions"]["terms"]) == 8 and reply_["positions"]["in_rows"][0] == 1
