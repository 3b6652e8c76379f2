"""One connection's training session: its state, and what the event loop calls on it.

Every trainer call happens on the process's one trainer thread (server.scheduler runs
server.turns), so the trainer needs no locks; the instruments measure a copy of the run on the
process's instrument thread (server.workbench). Message handlers live in server.messages, flow
control in server.flow, frame assembly in server.outbox.
"""
import collections
import itertools
import threading
import time
from importlib.metadata import version

from engine import Trainer, catalog
from engine.divergence import ADVICE, describe_nonfinite

from .flow import FrameWindow, SpeedCap
from .messages import HANDLERS, Idle
from .messages.instruments import track_sharpness
from .outbox import Outbox
from .replies import Error, Hello, Status
from .workbench import Requests

_session_ids = itertools.count(1)


class Session:
    """Plays, pauses, steps and phases a Trainer; posts `(json_text, is_frame)` to the connection."""

    def __init__(self, settings, post, scheduler, workbench, config=None, acks=False, sparse_detail=False):
        self.settings, self.scheduler = settings, scheduler
        self.instruments = Requests(workbench)  # gradcheck, line and sharpness requests
        self.sharpness_tracking = None  # the `sharpness {every}` request that tracks training, if any
        self.id = f"{id(self):x}-{next(_session_ids)}"
        self.trainer = Trainer(config, snapshot_every=settings.snapshot_every, scheduled_metrics=True)
        self.window = FrameWindow(acks, settings.max_in_flight)
        self.outbox = Outbox(post, self.window, sparse_detail)
        self.cap = SpeedCap()
        self.fps = settings.fps
        self.playing = False
        self.stepping = None  # [steps left, message id] of a `step {count}` in progress
        self.commands = collections.deque()  # appended by the event loop, popped by the trainer
        self.urgent_queued = 0  # urgent messages (pauses) not yet handled: training stops at once
        self.idle_pause_queued = False
        self.lock = threading.Lock()  # for `urgent_queued`, which both threads move
        self.next_frame = self.next_heavy = 0.0
        self.last_message = time.monotonic()
        self.turn = threading.Lock()  # held while the trainer thread runs this session
        self.closed = False
        self.client = None  # the client's address, set by the connection

    # ---- called from the event loop -------------------------------------------------------
    def start(self) -> None:
        """Send hello and the first frame, then take turns on the trainer thread."""
        self.outbox.send(Hello, session_id=self.id, version=version("backprop-lab"),
                         limits=self.limits(), catalog=catalog(),
                         config=self.trainer.config.model_dump())
        self.send_frame(heavy=True)
        self.scheduler.add(self)

    def limits(self) -> dict:
        """The engine's limits and the protocol's own."""
        s = self.settings
        return {**catalog()["limits"], "max_message_bytes": s.max_message_bytes,
                "max_transport_bytes": s.max_transport_bytes, "fps": [1, 60],
                "idle_timeout": s.idle_timeout}

    def submit(self, message) -> None:
        """Queue a parsed client message for the trainer thread."""
        self.last_message = time.monotonic()
        self._queue(message)

    def pause_for_idle(self) -> None:
        """Ask for a pause (once): the client has sent nothing for the idle time."""
        if not self.idle_pause_queued:
            self.idle_pause_queued = True
            self._queue(Idle(type="idle"))

    def _queue(self, message) -> None:
        """Hand a message to the trainer thread, counting it if it is urgent."""
        if HANDLERS[message.type].urgent:
            with self.lock:
                self.urgent_queued += 1
        self.commands.append(message)
        self.scheduler.notify()

    def frame_written(self) -> None:
        """The connection wrote a frame: without acks, it is no longer in flight."""
        if self.window.frame_written():
            self.scheduler.notify()

    def frame_acked(self) -> bool:
        """The client applied a frame; False if that cannot be (no acks asked, or none written)."""
        if not self.window.frame_acked():
            return False
        self.scheduler.notify()
        return True

    def idle_for(self) -> float:
        """Seconds since the client's last message."""
        return time.monotonic() - self.last_message

    def fail(self, message: str) -> None:
        """Tell the client its session stopped (no traceback or path in the reply)."""
        self.closed = True
        self.outbox.send(Error, message=message, field=None)

    def close(self) -> None:
        """Stop taking turns; returns once a turn in progress has ended."""
        self.closed = True
        self.instruments.drop()
        self.scheduler.remove(self)

    # ---- called on the trainer thread -------------------------------------------------------
    def handle(self, message) -> None:
        """Carry out one queued message and post its replies."""
        handler = HANDLERS[message.type]
        if handler.urgent:
            with self.lock:
                self.urgent_queued -= 1
        handler.run(self, message)

    def send_frame(self, heavy: bool, message_id=None) -> None:
        """Post a frame of the trainer's state now."""
        self.outbox.send_frame(self.trainer, self.playing, heavy, message_id)

    def new_run(self) -> None:
        """A rebuild or reset began a new run at step 0."""
        self.outbox.new_run()
        track_sharpness(self)

    def stepped(self, record) -> None:
        """Training applied a step (play or `step {count}`): a tracked sharpness may be due."""
        if record.applied:
            track_sharpness(self)

    def diverged(self, record, message_id=None, frame=True) -> None:
        """Pause and report where the first non-finite value appeared."""
        self.playing = False
        if frame:
            self.send_frame(heavy=True)
        self.outbox.send(Status, message_id, status="diverged", **record.nonfinite,
                         where=describe_nonfinite(record.nonfinite), advice=ADVICE)
