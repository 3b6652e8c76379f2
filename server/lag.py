"""Event-loop lag: how late a short sleep wakes up, sampled continuously, recent samples kept."""
import asyncio
import collections
import time

import numpy as np

INTERVAL = 0.01  # seconds between samples
KEEP = 3000  # samples kept (the last ~30 s)


class LagMonitor:
    """Samples the event loop's oversleep; `summary()` gives p50/p99/max in ms."""

    def __init__(self):
        self.samples = collections.deque(maxlen=KEEP)
        self.task = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(INTERVAL)
            self.samples.append(time.perf_counter() - started - INTERVAL)

    def start(self) -> None:
        """Begin sampling on the running loop."""
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop sampling."""
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass

    def summary(self) -> dict:
        """{p50_ms, p99_ms, max_ms, samples} over the kept samples."""
        if not self.samples:
            return {"p50_ms": None, "p99_ms": None, "max_ms": None, "samples": 0}
        ms = np.array(self.samples) * 1e3
        return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
                "p99_ms": round(float(np.percentile(ms, 99)), 2),
                "max_ms": round(float(ms.max()), 2), "samples": len(ms)}

    def reset(self) -> None:
        """Forget the samples so far (a benchmark's fresh start)."""
        self.samples.clear()
