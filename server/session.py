"""One connection's training session: a Trainer, driven in slices on the process's trainer thread.

Every trainer call happens on that one thread (server.scheduler), so the trainer needs no locks.
The event loop hands messages in through `submit` and gets encoded replies back through the
`post` callback it gave.
"""
import collections
import itertools
import threading
import time
from importlib.metadata import version

from engine import ConfigError, ExplainError, Trainer, catalog, health

from . import frames
from .protocol import reply

_session_ids = itertools.count(1)


class IdlePause:
    """The connection's own message: the client sent nothing for the idle time."""
    type, id = "idle", None


class Session:
    """Plays, pauses, steps and phases a Trainer; posts `(json_text, is_frame)` to the connection."""

    def __init__(self, settings, post, scheduler, config=None, acks=False, sparse_detail=False):
        self.settings, self.post, self.scheduler = settings, post, scheduler
        self.acks = acks  # the client acknowledges each frame it has applied
        self.sparse_detail = sparse_detail  # `detail` only in frames with the heavy parts
        self.id = f"{id(self):x}-{next(_session_ids)}"
        self.trainer = Trainer(config, snapshot_every=settings.snapshot_every)
        self.fps, self.steps_per_second = settings.fps, None
        self.run = 1  # bumped by every rebuild or reset: the client starts its charts anew
        self.sent_step = 0  # last step whose scalars went out in a frame
        self.points_run = 0  # the run whose data points the client has
        self.playing = False
        self.pauses_queued = 0  # pauses not yet handled: training stops at once, replies in turn
        self.stepping = None  # [steps left, message id] of a `step {count}` in progress
        self.commands = collections.deque()  # appended by the event loop, popped by the trainer
        self.in_flight = 0  # frames posted but not yet written (or, with acks, not yet applied)
        self.written = self.acked = 0  # with acks: frames written, and acknowledged
        self.idle_pause_queued = False
        self.lock = threading.Lock()  # for counts that two threads move
        self.next_frame = self.next_heavy = 0.0
        self.last_message = time.monotonic()
        self.turn = threading.Lock()  # held while the trainer thread runs this session
        self.closed = False
        self.client = None  # the client's address, set by the connection
        self._reset_cap()

    # ---- called from the event loop -------------------------------------------------------
    def start(self) -> None:
        """Send hello and the first frame, then take turns on the trainer thread."""
        self._post(reply("hello", session_id=self.id, version=version("backprop-lab"),
                         limits=self.limits(), catalog=catalog(),
                         config=self.trainer.config.model_dump()))
        self._post_frame(heavy=True)
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
        if message.type == "pause":
            with self.lock:
                self.pauses_queued += 1
        self.commands.append(message)
        self.scheduler.notify()

    def pause_for_idle(self) -> None:
        """Ask for a pause (once): the client has sent nothing for the idle time."""
        if not self.idle_pause_queued:
            self.idle_pause_queued = True
            self.commands.append(IdlePause())
            self.scheduler.notify()

    def frame_written(self) -> None:
        """The connection wrote a frame: without acks, it is no longer in flight."""
        with self.lock:
            if self.acks:
                self.written += 1
                return
            self.in_flight -= 1
        self.scheduler.notify()

    def frame_acked(self) -> bool:
        """The client applied a frame; False if that cannot be (no acks asked, or none written)."""
        with self.lock:
            if not self.acks or self.acked >= self.written:
                return False
            self.acked += 1
            self.in_flight -= 1
        self.scheduler.notify()
        return True

    def idle_for(self) -> float:
        """Seconds since the client's last message."""
        return time.monotonic() - self.last_message

    def fail(self, message: str) -> None:
        """Tell the client its session stopped (no traceback or path in the reply)."""
        self.closed = True
        self._post(reply("error", message=message, field=None))

    def close(self) -> None:
        """Stop taking turns; returns once a turn in progress has ended."""
        self.closed = True
        self.scheduler.remove(self)

    # ---- scheduling (trainer thread) -------------------------------------------------------
    def wants_turn(self, now: float) -> bool:
        """Whether there is work to do now."""
        if self.closed:
            return False
        if self.stepping:
            return not (self._too_far_behind() and self._frames_full()) or bool(self.pauses_queued)
        if self.commands and (not self._frames_full() or self._pause_next()):
            return True
        if not self.playing or self.pauses_queued:
            return False
        if not self._too_far_behind() and self._cap_allows(now):
            return True
        return not self._frames_full() and now >= self.next_frame

    def next_wake(self):
        """When this session will next have work with nothing new arriving (None: only then)."""
        if not self.playing or self.closed:
            return None
        if self.steps_per_second is not None and not self._too_far_behind():
            return self._cap_start + (self._cap_count + 1) / self.steps_per_second
        return None if self._frames_full() else self.next_frame

    def run_slice(self, seconds: float) -> None:
        """Handle queued messages, then train (a `step {count}` or play) until the slice ends.

        Messages wait while the client has its fill of frames: one that reads nothing cannot
        pile up replies in the server's memory."""
        deadline = time.monotonic() + seconds
        if self.stepping and not self.pauses_queued:  # only a pause cuts a step {count} short
            self._continue_stepping(deadline)
            return
        if self.stepping:
            self._finish_stepping()
        while self.commands and not self.closed and (not self._frames_full() or self._pause_next()):
            self._handle(self.commands.popleft())
            if self.stepping or time.monotonic() >= deadline:
                return
        if self.playing and not self.pauses_queued:
            self._play(deadline)

    # ---- training --------------------------------------------------------------------------
    def _play(self, deadline: float) -> None:
        """Train until the deadline (within the speed cap and the unsent bound); frame when due."""
        now = time.monotonic()
        while now < deadline and not self._too_far_behind() and self._cap_allows(now):
            record = self.trainer.step()
            self._cap_count += 1
            if not record.applied:
                self._diverged(record)
                return
            now = time.monotonic()
        if not self._frames_full() and now >= self.next_frame:
            heavy = now >= self.next_heavy
            self._post_frame(heavy)
            self.next_frame += 1.0 / self.fps
            if self.next_frame <= now:  # late (a busy machine): the next frame a period on
                self.next_frame = now + 1.0 / self.fps
            if heavy:
                self.next_heavy = now + self.settings.heavy_interval

    def _continue_stepping(self, deadline: float) -> None:
        """Go on with a `step {count}`; when done (or refused) send its frame."""
        record = None
        while self.stepping[0] > 0:
            if self._too_far_behind():  # a long step {count} sends frames on the way
                if self._frames_full():
                    return
                self._post_frame(heavy=False)
            record = self.trainer.step()
            self.stepping[0] -= 1
            if not record.applied or time.monotonic() >= deadline:
                break
        if self.stepping[0] == 0 or (record is not None and not record.applied):
            self._finish_stepping(record)

    def _finish_stepping(self, record=None) -> None:
        """End a `step {count}` (done, refused, or cut short by a pause) with its one frame."""
        message_id, self.stepping = self.stepping[1], None
        self._post_frame(heavy=True, message_id=message_id)
        if record is not None and not record.applied:
            self._diverged(record, message_id, frame=False)

    def _too_far_behind(self) -> bool:
        """Whether so many steps await a frame that training must wait for the client."""
        limit = min(self.settings.max_unsent_steps, self.trainer.recorder.capacity // 4)
        return self.trainer.steps - self.sent_step >= limit

    def _pause_next(self) -> bool:
        """Whether the next message is a pause: it is answered even when frames are full (its
        one frame at most), so a slow client can always stop its training."""
        return self.commands[0].type in ("pause", "idle")

    def _frames_full(self) -> bool:
        """Whether as many frames as allowed are in flight to the client."""
        return self.in_flight >= self.settings.max_in_flight

    def _cap_allows(self, now: float) -> bool:
        """Whether the speed cap (if any) allows another step now."""
        return (self.steps_per_second is None
                or (now - self._cap_start) * self.steps_per_second >= self._cap_count + 1)

    def _reset_cap(self) -> None:
        """Restart the speed cap's clock (on play and on a speed change)."""
        self._cap_start, self._cap_count = time.monotonic(), 0

    def _diverged(self, record, message_id=None, frame=True) -> None:
        """Pause and report where the first non-finite value appeared."""
        self.playing = False
        if frame:
            self._post_frame(heavy=True)
        self._post(reply("status", message_id, status="diverged", **record.nonfinite,
                         advice="lower the learning rate or turn on gradient clipping"))

    # ---- messages --------------------------------------------------------------------------
    def _handle(self, message) -> None:
        """Carry out one client message and post its replies."""
        getattr(self, f"_on_{message.type}")(message)

    def _on_play(self, m) -> None:
        self.playing = True
        self._reset_cap()
        self.next_frame = time.monotonic() + 1.0 / self.fps
        self._post(reply("status", m.id, status="running", step=self.trainer.steps))

    def _on_pause(self, m, reason="client") -> None:
        was_playing, self.playing = self.playing, False
        if m.type == "pause":
            with self.lock:
                self.pauses_queued -= 1
        if was_playing or self.trainer.steps != self.sent_step:
            self._post_frame(heavy=True, message_id=m.id)
        self._post(reply("status", m.id, status="paused", step=self.trainer.steps, reason=reason))

    def _on_idle(self, m) -> None:
        self.idle_pause_queued = False
        if self.playing:
            self._on_pause(m, reason="idle")

    def _on_step(self, m) -> None:
        self.playing = False
        self.stepping = [m.count, m.id]

    def _on_phase(self, m) -> None:
        self.playing = False
        p = self.trainer.phase()
        layer = None if p.layer is None else self.trainer.entries[p.layer].name
        self._post(reply("phase", m.id, phase=p.phase, layer=p.layer, layer_name=layer, step=p.step,
                         tensors=frames.phase_tensors(p.tensors)))
        if p.phase == "update":
            self._post_frame(heavy=True, message_id=m.id)
            if not p.record.applied:
                self._diverged(p.record, m.id, frame=False)

    def _on_configure(self, m) -> None:
        try:
            result = self.trainer.reconfigure(m.config)
        except ConfigError as exc:
            self._post(reply("error", m.id, message=str(exc), field=exc.field or None))
            return
        if result.rebuilt:
            self._new_run()
        self._post(reply("config", m.id, config=self.trainer.requested.model_dump(),
                         reset=result.rebuilt, fields=result.fields,
                         pending=self.trainer.mid_step and not result.rebuilt))
        if result.rebuilt:
            self._post_frame(heavy=True, message_id=m.id)

    def _on_reset(self, m) -> None:
        self.trainer.reset()
        self._new_run()
        self._post(reply("config", m.id, config=self.trainer.config.model_dump(), reset=True,
                         fields=[], pending=False))
        self._post_frame(heavy=True, message_id=m.id)

    def _new_run(self) -> None:
        """A rebuild or reset began a new run at step 0."""
        self.run += 1
        self.sent_step = 0

    def _on_export(self, m) -> None:
        self._post(reply("trace", m.id, trace=self.trainer.export_trace()))

    def _on_explain(self, m) -> None:
        try:
            body = self.trainer.explain(m.layer, (m.row, m.column), m.example)
        except ExplainError as exc:
            self._post(reply("error", m.id, message=f"explain: {exc}", field=None))
            return
        self._post(reply("explain", m.id, step=self.trainer.steps, **body))

    def _on_speed(self, m) -> None:
        if m.fps is not None:
            self.fps = m.fps
        if "steps_per_second" in m.model_fields_set:
            self.steps_per_second = m.steps_per_second
            self._reset_cap()
        self._post(reply("speed", m.id, fps=self.fps, steps_per_second=self.steps_per_second))

    # ---- output ---------------------------------------------------------------------------
    def _post(self, message: dict) -> None:
        """Encode and hand a reply to the connection."""
        self.post(frames.to_json(message), False)

    def _post_frame(self, heavy: bool, message_id=None) -> None:
        """A frame: every step's scalars since the last frame, metrics, and the latest detail."""
        t = self.trainer
        columns = t.recorder.since(self.sent_step)
        self.sent_step = t.steps
        body = reply("frame", message_id, run=self.run, step=t.steps, epoch=t.epoch,
                     status="running" if self.playing else "paused",
                     scalars=frames.scalars(columns, len(t.entries)), metrics=t.evaluate(),
                     layers=t.layers)
        if heavy or not self.sparse_detail:
            body["detail"] = frames.detail(t.detail(planes=heavy))
        if heavy:
            body["health"] = health(t)
        if self.points_run != self.run:
            body["points"] = frames.points(t.data)
            self.points_run = self.run
        with self.lock:
            self.in_flight += 1
        self.post(frames.to_json(body), True)
