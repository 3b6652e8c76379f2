"""One training thread per process, running every session's work in turn, a short slice each.

Python threads share one GIL: eight training threads and the event loop thrash it (DESIGN.md
measured the loop lagging by 125 ms), and small NumPy calls gain nothing from more threads.
So a process has one trainer thread; sessions take turns on it, and `--workers` adds processes.
Messages are answered ahead of training: before every slice, each session whose messages can be
answered gets a turn for them alone, so a pause waits for one slice, not a whole round.
"""
import logging
import threading
import time

from . import turns

log = logging.getLogger("backprop_lab")

SLICE_SECONDS = 0.005  # longest turn a session gets before the next one's
ROUND_SECONDS = 0.025  # every busy session gets a turn this often (frames at 30/s need < 33 ms)
MIN_SLICE_SECONDS = 0.0005
MAX_SLEEP = 1.0  # longest wait for a session's next due time (a tiny speed cap is far off)


class Scheduler:
    """Round-robin over sessions that have work, messages first; sleeps when none has work."""

    def __init__(self, slice_seconds: float = SLICE_SECONDS):
        self.slice_seconds = slice_seconds
        self.sessions = []
        self.wake = threading.Condition()
        self.thread = None
        self.stopped = False

    def add(self, session) -> None:
        """Start running a session's work (and the thread, on first use)."""
        with self.wake:
            self.sessions.append(session)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="trainer", daemon=True)
                self.thread.start()
            self.wake.notify()

    def remove(self, session) -> None:
        """Stop running a session; returns once its current slice (if any) has ended."""
        with self.wake:
            if session in self.sessions:
                self.sessions.remove(session)
        with session.turn:  # wait for a slice in progress
            pass

    def notify(self) -> None:
        """Some session has new work."""
        with self.wake:
            self.wake.notify()

    def stop(self) -> None:
        """End the thread (at shutdown)."""
        with self.wake:
            self.stopped = True
            self.wake.notify()
        if self.thread is not None:
            self.thread.join(5)

    def _take_turn(self, session, seconds: float, train: bool = True) -> None:
        """One turn; a failure ends that session (said to its client), never the thread."""
        with session.turn:
            if session.closed:
                return
            try:
                turns.run_slice(session, seconds, train)
            except Exception:  # a bug in one session must not stop every session of the process
                log.exception("session %s failed; closing it", session.id)
                session.fail("internal error: this session stopped; reload the page to start a new one")
                with self.wake:
                    if session in self.sessions:
                        self.sessions.remove(session)

    def _answer_messages(self, sessions: list) -> None:
        """A message-only turn for each session whose messages can be answered now."""
        for session in sessions:
            if turns.can_answer_now(session):
                self._take_turn(session, self.slice_seconds, train=False)

    def _run(self) -> None:
        while True:
            with self.wake:
                if self.stopped:
                    return
                sessions = list(self.sessions)
            now = time.monotonic()
            ready = [s for s in sessions if turns.wants_turn(s, now)]
            turn = max(MIN_SLICE_SECONDS, min(self.slice_seconds, ROUND_SECONDS / max(len(ready), 1)))
            for session in ready:
                self._answer_messages(sessions)
                self._take_turn(session, turn)
            if not ready:
                wakes = [t for t in (turns.next_wake(s) for s in sessions) if t is not None]
                timeout = min(MAX_SLEEP, max(0.0, min(wakes) - time.monotonic())) if wakes else None
                with self.wake:
                    if not self.stopped and not any(turns.wants_turn(s, time.monotonic())
                                                    for s in self.sessions):
                        self.wake.wait(timeout)
