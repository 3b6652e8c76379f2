"""The instruments run off the event loop and the trainer thread (issue 16, limits): while one
measures, pauses, steps and play's frames of its session and of others are answered; requests of
a kind that arrive meanwhile are coalesced (the latest waits, the reply lists those it replaced)."""
import threading

import pytest

from server.messages import instruments


@pytest.fixture
def held(monkeypatch):
    """The gradient check, held until the test sets the returned event (or 15 s pass)."""
    release, started = threading.Event(), threading.Event()
    real = instruments.gradcheck

    def held_gradcheck(run, layer=None):
        started.set()
        release.wait(15)
        return real(run, layer)

    monkeypatch.setattr(instruments, "gradcheck", held_gradcheck)
    yield release, started
    release.set()


def test_pause_step_and_frames_are_answered_while_a_gradient_check_runs(connect, held):
    release, started = held
    with connect() as conv, connect() as other:
        conv.step(2)
        conv.send({"type": "gradcheck", "id": "check"})
        assert started.wait(15)
        assert conv.step(3, id="step")["step"] == 5
        conv.send({"type": "play", "id": "play"})
        conv.expect("status", id="play", status="running")
        frames = conv.until(lambda m: m["type"] == "frame" and m["step"] > 5)
        conv.send({"type": "pause", "id": "pause"})
        answered = conv.until(lambda m: m["type"] == "status" and m.get("id") == "pause")
        assert answered[-1]["status"] == "paused"
        assert assert_no_instrument_reply(frames + answered)
        assert other.step(7)["step"] == 7  # another session trains and frames meanwhile
        release.set()
        reply = conv.until(lambda m: m["type"] == "gradcheck")[-1]
        assert reply["id"] == "check" and reply["step"] == 2 and reply["superseded"] == []


def assert_no_instrument_reply(messages) -> bool:
    return not any(m["type"] == "gradcheck" for m in messages)


def test_requests_arriving_while_one_runs_are_coalesced_latest_wins(conv, held):
    release, started = held
    conv.step(1)
    conv.send({"type": "gradcheck", "id": 1})
    assert started.wait(15)
    for message_id in (2, 3):
        conv.send({"type": "gradcheck", "id": message_id})
    conv.step(1)
    conv.send({"type": "gradcheck", "layer": 2, "id": 4})  # the latest, after one more step
    conv.send({"type": "line", "id": 5})  # another kind: not coalesced with these, queued
    assert conv.step(1)["step"] == 3  # the trainer thread has handled (and queued) all of them
    release.set()
    first = conv.expect("gradcheck", id=1, step=1, superseded=[])
    line = conv.expect("line", id=5, step=2, superseded=[])
    latest = conv.expect("gradcheck", id=4, step=2, superseded=[2, 3])
    assert len(first["entries"]) == 6 and [e["layer"] for e in latest["entries"]] == [2, 2]
    assert line["alpha"][10] == 0.0
    conv.nothing_within(0.5)  # requests 2 and 3 get no reply of their own
