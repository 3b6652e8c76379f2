"""One connection's training session: a Trainer owned by one worker thread.

Every trainer call happens on that thread, so the trainer needs no locks. The event loop hands
messages in through `submit` and gets encoded replies back through the `post` callback it gave.
"""
import itertools
import queue
import threading
import time
from importlib.metadata import version

from engine import ConfigError, Trainer, catalog

from . import frames
from .protocol import reply

STEP_CHUNK_SECONDS = 0.01  # longest stretch of training between looks at the command queue
_session_ids = itertools.count(1)


class IdlePause:
    """The connection's own message: the client sent nothing for the idle time."""
    type, id = "idle", None


class Session:
    """Plays, pauses, steps and phases a Trainer; posts `(json_text, is_frame)` to the connection."""

    def __init__(self, settings, post, config=None, acks=False):
        self.settings, self.post = settings, post
        self.acks = acks  # the client acknowledges each frame it has applied
        self.id = f"{id(self):x}-{next(_session_ids)}"
        self.trainer = Trainer(config, snapshot_every=settings.snapshot_every)
        self.fps, self.steps_per_second = settings.fps, None
        self.run = 1  # bumped by every rebuild or reset: the client starts its charts anew
        self.sent_step = 0  # last step whose scalars went out in a frame
        self.points_run = 0  # the run whose data points the client has
        self.playing = False
        self.interrupt = threading.Event()  # set by the event loop on pause: stop a long step
        self.commands = queue.Queue()
        self.in_flight = 0  # frames posted but not yet written (or, with acks, not yet applied)
        self.drained = threading.Condition()
        self.last_message = time.monotonic()
        self.closed = False
        self.thread = threading.Thread(target=self._loop, name=f"session-{self.id}", daemon=True)
        self._reset_cap()

    # ---- called from the event loop -------------------------------------------------------
    def start(self) -> None:
        """Send hello and start the worker thread."""
        self._post(reply("hello", session_id=self.id, version=version("backprop-lab"),
                         limits=self.limits(), catalog=catalog(),
                         config=self.trainer.config.model_dump()))
        self._post_frame(heavy=True)
        self.thread.start()

    def limits(self) -> dict:
        """The engine's limits and the protocol's own."""
        s = self.settings
        return {**catalog()["limits"], "max_message_bytes": s.max_message_bytes,
                "max_transport_bytes": s.max_transport_bytes, "fps": [1, 60],
                "idle_timeout": s.idle_timeout}

    def submit(self, message) -> None:
        """Queue a parsed client message for the worker; a pause also stops a running step."""
        self.last_message = time.monotonic()
        if message.type in ("pause", "step", "phase", "configure", "reset", "export"):
            self.interrupt.set()
        self.commands.put(message)

    def pause_for_idle(self) -> None:
        """Ask the worker to pause: the client has sent nothing for the idle time."""
        self.commands.put(IdlePause())

    def frame_done(self) -> None:
        """A frame was written (or, with acks, applied by the client): one fewer in flight."""
        with self.drained:
            self.in_flight = max(0, self.in_flight - 1)
            self.drained.notify()

    def idle_for(self) -> float:
        """Seconds since the client's last message."""
        return time.monotonic() - self.last_message

    def close(self) -> None:
        """Stop the worker thread (returns at once; `join` waits)."""
        self.closed = True
        self.interrupt.set()
        self.commands.put(None)
        with self.drained:
            self.drained.notify()

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the worker thread to end."""
        if self.thread.is_alive():
            self.thread.join(timeout)

    # ---- the worker thread ----------------------------------------------------------------
    def _loop(self) -> None:
        """Run commands as they come; between them, while playing, train and send frames.

        Frames go out at most `fps` a second and at most `max_in_flight` at a time; a slow client
        gets fewer, larger frames. Training waits only when the client is so far behind that
        `max_unsent_steps` steps await a frame: memory stays bounded and no step is lost."""
        next_frame = next_heavy = time.monotonic()
        while not self.closed:
            message = self._next_command()
            if self.closed:
                break
            if message is not None:
                if self.commands.empty():
                    self.interrupt.clear()
                self._handle(message)
                continue
            if not self.playing:
                continue
            can_frame = not self._frames_full()
            if not self._too_far_behind():
                chunk = STEP_CHUNK_SECONDS
                if can_frame:
                    chunk = max(0.0, min(chunk, next_frame - time.monotonic()))
                self._train_for(chunk)
            now = time.monotonic()
            if self.playing and can_frame and now >= next_frame:
                heavy = now >= next_heavy
                self._post_frame(heavy)
                next_frame += 1.0 / self.fps
                if next_frame <= now:  # late (a busy machine): the next frame a full period on
                    next_frame = now + 1.0 / self.fps
                if heavy:
                    next_heavy = now + self.settings.heavy_interval

    def _next_command(self):
        """The next command: wait for one while paused or while nothing can be done, else take
        one if queued."""
        try:
            if not self.playing:
                return self.commands.get()
            if self._too_far_behind() and self._frames_full():
                with self.drained:
                    self.drained.wait_for(lambda: not self._frames_full() or self.closed
                                          or not self.commands.empty(), timeout=0.05)
            return self.commands.get_nowait()
        except queue.Empty:
            return None

    def _frames_full(self) -> bool:
        """Whether as many frames as allowed are in flight to the client."""
        return self.in_flight >= self.settings.max_in_flight

    def _too_far_behind(self) -> bool:
        """Whether so many steps await a frame that training must wait for the client."""
        # never more unsent steps than the recorder keeps at full resolution
        limit = min(self.settings.max_unsent_steps, self.trainer.recorder.capacity // 4)
        return self.trainer.steps - self.sent_step >= limit

    def _train_for(self, seconds: float) -> None:
        """Step until `seconds` pass (within the speed cap); a refused step pauses and says why."""
        deadline = time.monotonic() + seconds
        stepped = False
        while not self.interrupt.is_set():
            now = time.monotonic()
            if now >= deadline and stepped:
                return
            if self.steps_per_second is not None and self._capped_due() < 1:
                time.sleep(min(deadline - now, 1.0 / self.steps_per_second))
                continue
            record = self.trainer.step()
            stepped = True
            if self._too_far_behind():
                return
            self._cap_count += 1
            if not record.applied:
                self._diverged(record)
                return

    def _capped_due(self) -> float:
        """Steps the speed cap allows now."""
        return (time.monotonic() - self._cap_start) * self.steps_per_second - self._cap_count

    def _reset_cap(self) -> None:
        """Restart the cap's clock (on play and on a speed change)."""
        self._cap_start, self._cap_count = time.monotonic(), 0

    def _diverged(self, record, message_id=None) -> None:
        """Pause and report where the first non-finite value appeared."""
        self.playing = False
        self._post_frame(heavy=True)
        self._post(reply("status", message_id, status="diverged", **record.nonfinite,
                         advice="lower the learning rate or turn on gradient clipping"))

    def _handle(self, message) -> None:
        """Carry out one client message and post its replies."""
        handler = getattr(self, f"_on_{message.type}")
        handler(message)

    def _on_play(self, m) -> None:
        self.playing = True
        self._reset_cap()
        self._post(reply("status", m.id, status="running", step=self.trainer.steps))

    def _on_pause(self, m, reason="client") -> None:
        was_playing, self.playing = self.playing, False
        if was_playing or self.trainer.steps != self.sent_step:
            self._post_frame(heavy=True)
        self._post(reply("status", m.id, status="paused", step=self.trainer.steps, reason=reason))

    def _on_step(self, m) -> None:
        self.playing = False
        record = None
        for _ in range(m.count):
            record = self.trainer.step()
            if not record.applied or self.interrupt.is_set():
                break
        self._post_frame(heavy=True, message_id=m.id)
        if record is not None and not record.applied:
            self._diverged(record, m.id)

    def _on_phase(self, m) -> None:
        self.playing = False
        p = self.trainer.phase()
        layer = None if p.layer is None else self.trainer.entries[p.layer].name
        self._post(reply("phase", m.id, phase=p.phase, layer=p.layer, layer_name=layer, step=p.step,
                         tensors=frames.phase_tensors(p.tensors)))
        if p.phase == "update":
            self._post_frame(heavy=True)
            if not p.record.applied:
                self._diverged(p.record, m.id)

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
            self._post_frame(heavy=True)

    def _on_reset(self, m) -> None:
        self.trainer.reset()
        self._new_run()
        self._post(reply("config", m.id, config=self.trainer.config.model_dump(), reset=True,
                         fields=[], pending=False))
        self._post_frame(heavy=True)

    def _new_run(self) -> None:
        """A rebuild or reset began a new run at step 0."""
        self.run += 1
        self.sent_step = 0

    def _on_export(self, m) -> None:
        self._post(reply("trace", m.id, trace=self.trainer.export_trace()))

    def _on_speed(self, m) -> None:
        if m.fps is not None:
            self.fps = m.fps
        if "steps_per_second" in m.model_fields_set:
            self.steps_per_second = m.steps_per_second
            self._reset_cap()
        self._post(reply("speed", m.id, fps=self.fps, steps_per_second=self.steps_per_second))

    def _on_idle(self, m) -> None:
        if self.playing:
            self._on_pause(m, reason="idle")

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
                     layers=t.layers, detail=frames.detail(t.detail(planes=heavy)))
        if self.points_run != self.run:
            body["points"] = frames.points(t.data)
            self.points_run = self.run
        with self.drained:
            self.in_flight += 1
        self.post(frames.to_json(body), True)
