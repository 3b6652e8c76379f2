"""The trace recorder: every step's scalars column-wise in preallocated arrays, capped in bytes.

When the columns fill, the older half is thinned by merging neighbouring rows: a merged row keeps
one real step's values (the later step's, or the earlier's when only it holds a snapshot), the
first and last step it covers, and the min and max over them, so charts keep their envelopes. The
first step is never merged and the newest half stays at full resolution. Snapshots (params, grads,
batch, detail) are taken at steps 1, 2, 5, 10, 20, 50, ... below `snapshot_every`, then every
`snapshot_every` steps (so a short run has some from its start), and thinned when over their cap.
"""
import numpy as np

from .stats import LAYER_STATS

STEP_SCALARS = ("loss", "accuracy", "clip_norm_before", "clip_norm_after")
DEFAULT_SCALAR_BYTES = 24 * 2**20
DEFAULT_SNAPSHOT_BYTES = 24 * 2**20


class TraceRecorder:
    """Columns `step` (whose values the row holds), `first`..`last` (the steps it covers) and
    value/low/high (rows, K) scalars: the step scalars, LAYER_STATS per entry, then the
    recurrent entries' statistics through time as `time_layout` lays them out."""

    def __init__(self, n_entries: int, scalar_bytes=DEFAULT_SCALAR_BYTES,
                 snapshot_bytes=DEFAULT_SNAPSHOT_BYTES, snapshot_every=100, time_layout=None):
        self.n_entries = n_entries
        self.time_layout = time_layout
        self.layers_end = len(STEP_SCALARS) + n_entries * len(LAYER_STATS)
        self.width = self.layers_end + (time_layout.width if time_layout else 0)
        row_bytes = 8 * (3 + 3 * self.width)
        self.capacity = max(16, scalar_bytes // row_bytes)
        self.step = np.zeros(self.capacity, dtype=np.int64)
        self.first = np.zeros(self.capacity, dtype=np.int64)
        self.last = np.zeros(self.capacity, dtype=np.int64)
        self.value = np.zeros((self.capacity, self.width))
        self.low = np.zeros((self.capacity, self.width))
        self.high = np.zeros((self.capacity, self.width))
        self.rows = 0
        self.thinnings = 0  # how many times the older half was halved
        self.snapshot_every = snapshot_every
        self.snapshot_bytes = snapshot_bytes
        self.snapshots = []  # dicts of arrays, oldest first
        self.snapshots_dropped = 0

    def record(self, record) -> None:
        """Append one applied step's scalars (a trainer StepRecord)."""
        if self.rows == self.capacity:
            self._thin()
        r = self.rows
        row = self.value[r]
        row[0] = record.loss
        row[1] = np.nan if record.accuracy is None else record.accuracy
        row[2] = record.clip_norm_before
        row[3] = record.clip_norm_after
        row[len(STEP_SCALARS):self.layers_end] = record.layers.ravel()
        if self.width > self.layers_end:
            row[self.layers_end:] = record.through_time.ravel()
        self.low[r] = row
        self.high[r] = row
        self.step[r] = self.first[r] = self.last[r] = record.step
        self.rows = r + 1

    def layer_values(self, values) -> np.ndarray:
        """The per-entry scalars of rows of values (n, width): (n, n_entries, len(LAYER_STATS))."""
        return values[:, len(STEP_SCALARS):self.layers_end].reshape(len(values), self.n_entries, len(LAYER_STATS))

    def time_values(self, values) -> tuple:
        """The statistics through time of rows of values (n, width): signal_norm_by_time
        (n, R, T) and recurrent_grad_norm (n, R)."""
        return self.time_layout.split(values[:, self.layers_end:])

    @property
    def columns(self) -> tuple:
        """Every preallocated column."""
        return (self.step, self.first, self.last, self.value, self.low, self.high)

    def _thin(self) -> None:
        """Merge pairs of rows in the older half (after row 0), freeing a quarter of the rows.

        A merged row keeps the later step's values, or the earlier one's when only that step
        holds a snapshot, so snapshot steps keep their rows."""
        half = self.rows // 2
        pairs = (half - 1) // 2
        a = np.arange(1, 1 + 2 * pairs, 2)  # earlier row of each pair
        b = a + 1
        snapshot_steps = [s["step"] for s in self.snapshots]
        keep = np.where(np.isin(self.step[a], snapshot_steps) & ~np.isin(self.step[b], snapshot_steps),
                        a, b)
        merged = slice(1, 1 + pairs)
        with np.errstate(invalid="ignore"):
            low = np.fmin(self.low[a], self.low[b])
            high = np.fmax(self.high[a], self.high[b])
        self.step[merged], self.first[merged], self.last[merged] = self.step[keep], self.first[a], self.last[b]
        self.value[merged], self.low[merged], self.high[merged] = self.value[keep], low, high
        tail = slice(1 + 2 * pairs, self.rows)
        n_tail = self.rows - (1 + 2 * pairs)
        dest = slice(1 + pairs, 1 + pairs + n_tail)
        for column in self.columns:
            column[dest] = column[tail].copy()
        self.rows = 1 + pairs + n_tail
        self.thinnings += 1
        self._drop_orphan_snapshots()

    def _drop_orphan_snapshots(self) -> None:
        """Forget snapshots whose step lost its row (two snapshot steps merged into one row)."""
        rows = set(self.step[:self.rows].tolist())
        kept = [s for s in self.snapshots if s["step"] in rows]
        self.snapshots_dropped += len(self.snapshots) - len(kept)
        self.snapshots = kept

    def wants_snapshot(self, step: int) -> bool:
        """Whether this step is a snapshot step: a multiple of `snapshot_every`, or below it a
        step of the 1-2-5 series (1, 2, 5, 10, 20, 50, ...)."""
        if self.snapshot_every <= 0:
            return False
        return step % self.snapshot_every == 0 or (0 < step < self.snapshot_every and _one_two_five(step))

    def add_snapshot(self, snapshot: dict) -> None:
        """Keep a snapshot; over the byte cap, drop every other older one (first and newest stay)."""
        held = len(self.snapshots) + 1
        self.snapshots = self.with_snapshot(snapshot)
        self.snapshots_dropped += held - len(self.snapshots)

    def with_snapshot(self, snapshot: dict) -> list:
        """The snapshots kept were `snapshot` added (replacing one of its step) under the byte cap,
        without keeping it: every other older one dropped while over (first and newest stay)."""
        snapshot["_bytes"] = _size(snapshot)
        kept = [s for s in self.snapshots if s["step"] != snapshot["step"]] + [snapshot]
        while sum(s["_bytes"] for s in kept) > self.snapshot_bytes and len(kept) > 2:
            kept = [kept[0]] + kept[2:-1:2] + [kept[-1]]
        return kept

    def since(self, step: int) -> dict:
        """Columns of the rows after `step` (for frames): {step, value (n, K)}."""
        start = int(np.searchsorted(self.step[:self.rows], step, side="right"))
        rows = slice(start, self.rows)
        return {"step": self.step[rows], "span": self.last[rows] - self.first[rows] + 1,
                "value": self.value[rows]}

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns and the snapshots."""
        columns = sum(c.nbytes for c in self.columns)
        return columns + sum(s["_bytes"] for s in self.snapshots)

    def thinning(self) -> dict:
        """How the recorder thinned, for the trace."""
        return {"capacity_rows": self.capacity, "rows": self.rows, "thinnings": self.thinnings,
                "rule": "older half halved by merging neighbouring rows; a merged row keeps one "
                        "step's values (the later, or the one with a snapshot), the first and last "
                        "step it covers, and per-scalar min and max over them",
                "snapshot_every": self.snapshot_every, "snapshots_dropped": self.snapshots_dropped,
                "snapshot_rule": "steps 1, 2, 5, 10, 20, 50, ... below snapshot_every, then every "
                                 "snapshot_every steps, and the last step at export (none when "
                                 "snapshot_every is 0); over the snapshot cap every other older one "
                                 "is dropped, the first and newest kept"}


def _one_two_five(step: int) -> bool:
    """Whether step is 1, 2 or 5 times a power of ten."""
    while step % 10 == 0:
        step //= 10
    return step in (1, 2, 5)


def _size(obj) -> int:
    """Approximate bytes held by nested dicts and lists of arrays and scalars."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_size(v) for v in obj.values()) + 64
    if isinstance(obj, (list, tuple)):
        return sum(_size(v) for v in obj) + 8 * len(obj)
    return 16
