"""The `phase` message of a sequence net names each recurrent phase's time step `t` (issue 14,
point 6) and carries the shown example as far as the step has computed it (point 7's unrolled
view), driven here with a session holding a sequence trainer."""
from types import SimpleNamespace

import numpy as np

from engine import Trainer
from engine.sequence_detail import example_io
from server.encoding import unpack
from server.messages.playback import Phase, phase
from server.replies import SERVER_ADAPTER, reply

CONFIG = {"dataset": {"name": "adding", "seq_len": 3, "n_samples": 40},
          "network": {"hidden": [{"kind": "lstm", "units": 2}]}, "training": {"loss": "mse", "batch_size": 4}}


def test_phase_replies_carry_t_forward_then_backward_in_time():
    sent, frames = [], []
    session = SimpleNamespace(playing=True, trainer=Trainer(CONFIG),
                              outbox=SimpleNamespace(send=lambda model, id_, **f: sent.append(reply(model, id_, **f))),
                              send_frame=lambda **kw: frames.append(kw), stepped=lambda record: None, diverged=None)
    for n in range(10):
        phase(session, Phase(type="phase", id=n))
    for message in sent:
        SERVER_ADAPTER.validate_python(message)
    assert [(m["phase"], m["layer_name"], m.get("t")) for m in sent] == [
        ("forward", "lstm1", 1), ("forward", "lstm1", 2), ("forward", "lstm1", 3), ("forward", "dense2", None),
        ("loss", None, None), ("backward", "dense2", None),
        ("backward", "lstm1", 3), ("backward", "lstm1", 2), ("backward", "lstm1", 1), ("update", None, None)]
    assert "t" not in sent[3] and not session.playing and len(frames) == 1
    assert sorted(sent[0]["tensors"]) == ["h", "x"] and sent[0]["tensors"]["h"]["shape"] == [4, 2]
    assert sorted(sent[6]["tensors"]) == ["dh", "dpre"] and sent[6]["tensors"]["dpre"]["shape"] == [4, 8]
    h1 = unpack(sent[0]["tensors"]["h"]["values"])
    assert (h1 == session.trainer.net.tapes[0].cache.h[:, 0].astype("float32")).all()


def test_recurrent_phases_carry_the_shown_example_as_far_as_the_step_has_computed_it():
    sent = []
    trainer = Trainer(CONFIG)
    trainer.step()
    session = SimpleNamespace(playing=False, trainer=trainer,
                              outbox=SimpleNamespace(send=lambda model, id_, **f: sent.append(reply(model, id_, **f))),
                              send_frame=lambda **kw: None, stepped=lambda record: None, diverged=None)
    batch = trainer.sampler.peek(4)
    for n in range(10):
        phase(session, Phase(type="phase", id=n))
    for message in sent:
        SERVER_ADAPTER.validate_python(message)
    cache = trainer.net.tapes[0].cache  # the step the phases ran, now whole
    h, dh = cache.h[0].astype("float32"), cache.dh[0].astype("float32")  # the shown example, batch row 0: (T, H)
    x = trainer.data.x_train[batch[0]]
    output = example_io(trainer)["output"]
    assert trainer.net.tapes[0].x[0].tolist() == x.tolist() and len(output) == 1
    recurrent = [m for m in sent if m.get("t") is not None]
    assert [m for m in sent if "through_time" in m] == recurrent
    for m in recurrent:
        shown = m["through_time"]
        assert sorted(shown) == ["dh", "example", "h", "output", "x"]
        assert shown["example"] == 0 and shown["x"] == x.tolist()
        t = m["t"]
        if m["phase"] == "forward":
            assert shown["output"] is None and shown["dh"] is None
            assert shown["h"]["shape"] == [t, 2] and np.array_equal(unpack(shown["h"]), h[:t])
        else:
            assert shown["output"] == output.tolist()
            assert shown["h"]["shape"] == [3, 2] and np.array_equal(unpack(shown["h"]), h)
            assert shown["dh"]["shape"] == [3 - t + 1, 2] and np.array_equal(unpack(shown["dh"]), dh[t - 1:])
    assert [(m["phase"], m["t"]) for m in recurrent] == [("forward", 1), ("forward", 2), ("forward", 3),
                                                         ("backward", 3), ("backward", 2), ("backward", 1)]
