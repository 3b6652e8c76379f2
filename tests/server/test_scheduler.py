"""The trainer thread's scheduler: messages are answered ahead of other sessions' training slices,
so a pause waits for the slice in progress, not for a whole round of sessions."""
import threading

from server import turns
from server.scheduler import Scheduler


class FakeSession:
    """Just what the scheduler reads; `queued` messages wait for a turn."""

    def __init__(self, name: str):
        self.id = name
        self.closed, self.stepping, self.urgent_queued, self.queued = False, None, 0, 0
        self.turn = threading.Lock()


def run_one_round(monkeypatch, sessions, arrivals):
    """Run the scheduler's loop for one round of training slices; `arrivals[name]` queues a
    message for that session while `name` trains. Returns [(session, trained?)] in order."""
    log, scheduler = [], Scheduler()
    scheduler.sessions = list(sessions)
    by_name = {s.id: s for s in sessions}

    def run_slice(session, seconds, train=True):
        log.append((session.id, train))
        if not train:
            session.queued = 0
        elif session.id in arrivals:
            by_name[arrivals[session.id]].queued += 1
        if sum(trained for _, trained in log) == len(sessions):
            scheduler.stopped = True

    monkeypatch.setattr(turns, "wants_turn", lambda session, now: True)
    monkeypatch.setattr(turns, "has_messages", lambda session: session.queued > 0)
    monkeypatch.setattr(turns, "run_slice", run_slice)
    scheduler._run()
    return log


def test_a_message_arriving_mid_round_is_answered_before_the_next_training_slice(monkeypatch):
    a, b, c = FakeSession("a"), FakeSession("b"), FakeSession("c")
    log = run_one_round(monkeypatch, [a, b, c], arrivals={"a": "c"})
    assert log == [("a", True), ("c", False), ("b", True), ("c", True)]


def test_messages_waiting_at_the_start_of_a_round_go_first(monkeypatch):
    a, b = FakeSession("a"), FakeSession("b")
    b.queued = 1
    log = run_one_round(monkeypatch, [a, b], arrivals={})
    assert log == [("b", False), ("a", True), ("b", True)]


def test_a_step_in_progress_keeps_its_messages_waiting_unless_one_is_a_pause(monkeypatch):
    a, b, c = FakeSession("a"), FakeSession("b"), FakeSession("c")
    b.stepping, b.queued = [100, None], 1  # e.g. an export sent during `step {count: 100}`
    c.stepping, c.queued, c.urgent_queued = [100, None], 1, 1  # a pause cuts the step short
    log = run_one_round(monkeypatch, [a, b, c], arrivals={})
    assert log == [("c", False), ("a", True), ("b", True), ("c", True)]
