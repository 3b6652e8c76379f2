"""A token bucket: at most `rate` messages a second on average, bursts up to `burst`."""
import time


class TokenBucket:
    """Take one token per message; an empty bucket refuses until it refills."""

    def __init__(self, rate: float, burst: float, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.updated = burst, clock()

    def take(self) -> bool:
        """Whether a message may pass now (and count it)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
