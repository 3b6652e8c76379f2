"""The `set_param` message over /ws (issue 17, point 5): a weight set by the client is in the next
frame and in the exported trace's events; a bad one gets an error naming the part at fault."""
import base64

import numpy as np
import pytest


def weights(frame: dict, layer: int) -> np.ndarray:
    """A layer's weights as the frame's detail carries them (packed float32)."""
    packed = frame["detail"]["layers"][layer]["weights"]["values"]
    return np.frombuffer(base64.b64decode(packed["b64"]), dtype=packed["dtype"]).reshape(packed["shape"])


def test_a_set_weight_is_in_the_next_frame_and_in_the_traces_events(conv):
    conv.step(3)
    conv.send({"type": "set_param", "layer": 1, "param": "W", "index": [2, 0], "value": -1.25, "id": 4})
    conv.expect("param", id=4, layer=1, layer_name="dense2", param="W", index=[2, 0], value=-1.25, step=3,
                pending=False)
    frame = conv.expect("frame", id=4, step=3)
    assert weights(frame, 1)[2, 0] == -1.25
    conv.send({"type": "export", "id": 5})
    trace = conv.expect("trace", id=5)["trace"]
    assert trace["events"] == [{"step": 3, "set_param": {"layer": 1, "param": "W", "index": [2, 0], "value": -1.25}}]


def test_an_edit_during_a_phase_by_phase_step_waits_for_its_update(conv):
    conv.send({"type": "phase", "id": 1})
    conv.expect("phase", id=1, phase="forward", step=1)
    conv.send({"type": "set_param", "layer": 0, "param": "b", "index": [1], "value": 3, "id": 2})
    conv.expect("param", id=2, layer_name="dense1", param="b", index=[1], value=3.0, step=0, pending=True)
    conv.nothing_within(0.3)  # no frame until the step ends


@pytest.mark.parametrize("message, field, error", [
    ({"layer": 4, "param": "W", "index": [0, 0], "value": 1}, "layer",
     "set_param: there is no layer 4; the network has 3"),
    ({"layer": 0, "param": "gamma", "index": [0], "value": 1}, "param",
     "set_param: dense1 has no parameter 'gamma'; it has W, b"),
    ({"layer": 0, "param": "W", "index": [0, 4], "value": 1}, "index",
     "set_param: dense1.W has shape (2, 4); no element at (0, 4)"),
    ({"layer": 0, "param": "W", "index": [0, 0]}, "value", "set_param: value: field required"),
    ({"layer": 0, "param": "W", "index": [0, 0], "value": "2"}, "value",
     "set_param: value: input should be a valid number"),
])
def test_a_bad_edit_is_refused_naming_the_part_at_fault(conv, message, field, error):
    conv.send({"type": "set_param", "id": 6, **message})
    conv.expect("error", id=6, field=field, message=error)
    conv.send({"type": "export", "id": 7})
    assert conv.expect("trace", id=7)["trace"]["events"] == []
