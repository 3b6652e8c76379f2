"""Flow control for one session: frames in flight, the client's acks, the speed cap, backpressure."""
import threading
import time


class FrameWindow:
    """Frames posted but not yet written (or, with acks, not yet applied by the client)."""

    def __init__(self, acks: bool, limit: int):
        self.acks, self.limit = acks, limit  # acks: the client acknowledges each frame it applied
        self.in_flight = 0
        self.written = self.acked = 0  # with acks: frames written, and acknowledged
        self.lock = threading.Lock()  # the trainer thread posts, the event loop writes and acks

    def posted(self) -> None:
        """A frame is on its way."""
        with self.lock:
            self.in_flight += 1

    def frame_written(self) -> bool:
        """The connection wrote a frame; True if that freed a place (no acks asked)."""
        with self.lock:
            if self.acks:
                self.written += 1
                return False
            self.in_flight -= 1
            return True

    def frame_acked(self) -> bool:
        """The client applied a frame; False if that cannot be (no acks asked, or none written)."""
        with self.lock:
            if not self.acks or self.acked >= self.written:
                return False
            self.acked += 1
            self.in_flight -= 1
            return True

    def full(self) -> bool:
        """Whether as many frames as allowed are in flight to the client."""
        return self.in_flight >= self.limit


class SpeedCap:
    """At most `steps_per_second` training steps a second (None: flat out), counted from `restart`."""

    def __init__(self):
        self.steps_per_second = None
        self.restart()

    def restart(self) -> None:
        """Restart the clock (on play and on a speed change)."""
        self.start, self.count = time.monotonic(), 0

    def allows(self, now: float) -> bool:
        """Whether another step may run now."""
        return (self.steps_per_second is None
                or (now - self.start) * self.steps_per_second >= self.count + 1)

    def took(self) -> None:
        """A step ran."""
        self.count += 1

    def next_due(self) -> float | None:
        """When the next step may run (None: no cap)."""
        if self.steps_per_second is None:
            return None
        return self.start + (self.count + 1) / self.steps_per_second


def too_far_behind(trainer, sent_step: int, max_unsent_steps: int) -> bool:
    """Whether so many steps await a frame that training must wait for the client (backpressure)."""
    limit = min(max_unsent_steps, trainer.recorder.capacity // 4)
    return trainer.steps - sent_step >= limit
