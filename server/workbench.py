"""The instruments' thread: gradient checks, lines and sharpness run here, never on the event loop
or the trainer thread, so they never hold up a pause or a frame. One thread per process (the
machine's cores train); each session coalesces its own requests (`Requests`)."""
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger("backprop_lab")


class Workbench:
    """The process's one instrument thread, running jobs in the order they come."""

    def __init__(self):
        self.jobs = queue.SimpleQueue()
        self.thread = None
        self.lock = threading.Lock()

    def run(self, job: Callable[[], None]) -> None:
        """Run job() on the instrument thread (started on first use)."""
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._work, name="instruments", daemon=True)
                self.thread.start()
        self.jobs.put(job)

    def stop(self) -> None:
        """End the thread once the job in progress is done (at shutdown)."""
        with self.lock:
            thread = self.thread
        if thread is not None:
            self.jobs.put(None)
            thread.join(5)

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                job()
            except Exception:  # one failed measurement must not stop every session's instruments
                log.exception("an instrument job failed")


@dataclass
class Waiting:
    """A request waiting for its kind's measurement in progress: its job, its id, and the ids of
    earlier waiting requests it replaced."""
    job: Callable[[list], None]
    message_id: object
    superseded: list = field(default_factory=list)


class Requests:
    """One session's instrument requests: of each kind one measuring and at most one waiting; a
    newer request replaces the waiting one (latest wins), whose id its reply then lists."""

    def __init__(self, workbench: Workbench):
        self.workbench = workbench
        self.lock = threading.Lock()
        self.measuring = set()  # kinds with a job on the workbench
        self.waiting = {}  # kind -> Waiting

    def request(self, kind: str, message_id, job: Callable[[list], None]) -> None:
        """Run job(superseded ids) now if no `kind` is measuring, else as the one waiting."""
        with self.lock:
            if kind in self.measuring:
                old = self.waiting.get(kind)
                earlier = [] if old is None else old.superseded + [old.message_id]
                self.waiting[kind] = Waiting(job, message_id, [i for i in earlier if i is not None])
                return
            self.measuring.add(kind)
        self.workbench.run(lambda: self._measure(kind, job, []))

    def drop(self) -> None:
        """Forget waiting requests (the session closed)."""
        with self.lock:
            self.waiting.clear()

    def _measure(self, kind: str, job, superseded: list) -> None:
        """Run one job, then the request of its kind that waited for it, if any."""
        try:
            job(superseded)
        finally:
            with self.lock:
                following = self.waiting.pop(kind, None)
                if following is None:
                    self.measuring.discard(kind)
            if following is not None:
                self.workbench.run(lambda: self._measure(kind, following.job, following.superseded))
