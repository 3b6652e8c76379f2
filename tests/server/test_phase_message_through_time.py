"""The `phase` message of a sequence net names each recurrent phase's time step `t` (issue 14,
point 6), driven here with a session holding a sequence trainer."""
from types import SimpleNamespace

from engine import Trainer
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
