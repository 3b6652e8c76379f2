"""A session's turns on the trainer thread: whether it has work, its messages, and training
(play, or a `step {count}`) within a time slice, paced by flow control and the speed cap."""
import time

from .flow import too_far_behind
from .messages import HANDLERS


def _behind(session) -> bool:
    """Whether training must wait for the client to take its frames (backpressure)."""
    return too_far_behind(session.trainer, session.outbox.sent_step, session.settings.max_unsent_steps)


def _urgent_next(session) -> bool:
    """Whether the next message is urgent (a pause): it is answered even when frames are full
    (its one frame at most), so a slow client can always stop its training."""
    return HANDLERS[session.commands[0].type].urgent


def has_messages(session) -> bool:
    """Whether queued messages can be answered now."""
    return bool(session.commands) and not session.closed and (
        not session.window.full() or _urgent_next(session))


def can_answer_now(session) -> bool:
    """Whether a message-only turn would answer something: messages that can go out now, and no
    `step {count}` in progress unless a pause is queued to cut it short."""
    return has_messages(session) and (not session.stepping or bool(session.urgent_queued))


def wants_turn(session, now: float) -> bool:
    """Whether there is work to do now."""
    if session.closed:
        return False
    if session.stepping:
        return not (_behind(session) and session.window.full()) or bool(session.urgent_queued)
    if has_messages(session):
        return True
    if not session.playing or session.urgent_queued:
        return False
    if not _behind(session) and session.cap.allows(now):
        return True
    return not session.window.full() and now >= session.next_frame


def next_wake(session) -> float | None:
    """When this session will next have work with nothing new arriving (None: only then)."""
    if not session.playing or session.closed:
        return None
    if session.cap.steps_per_second is not None and not _behind(session):
        return session.cap.next_due()
    return None if session.window.full() else session.next_frame


def run_slice(session, seconds: float, train: bool = True) -> None:
    """Handle queued messages, then (if `train`) train a `step {count}` or play until the slice
    ends. Messages wait while the client has its fill of frames: one that reads nothing cannot
    pile up replies in the server's memory."""
    deadline = time.monotonic() + seconds
    if session.stepping and not session.urgent_queued:  # only a pause cuts a step {count} short
        if train:
            _continue_stepping(session, deadline)
        return
    if session.stepping:
        _finish_stepping(session)
    while has_messages(session):
        session.handle(session.commands.popleft())
        if session.stepping or time.monotonic() >= deadline:
            return
    if train and session.playing and not session.urgent_queued:
        _play(session, deadline)


def _play(session, deadline: float) -> None:
    """Train until the deadline (within the speed cap and the unsent bound); frame when due."""
    trainer, cap = session.trainer, session.cap
    now = time.monotonic()
    while now < deadline and not _behind(session) and cap.allows(now):
        record = trainer.step()
        cap.took()
        session.stepped(record)
        if not record.applied:
            session.diverged(record)
            return
        now = time.monotonic()
    if not session.window.full() and now >= session.next_frame:
        heavy = now >= session.next_heavy
        session.send_frame(heavy)
        session.next_frame += 1.0 / session.fps
        if session.next_frame <= now:  # late (a busy machine): the next frame a period on
            session.next_frame = now + 1.0 / session.fps
        if heavy:
            session.next_heavy = now + session.settings.heavy_interval


def _continue_stepping(session, deadline: float) -> None:
    """Go on with a `step {count}`; when done (or refused) send its frame."""
    record = None
    while session.stepping[0] > 0:
        if _behind(session):  # a long step {count} sends frames on the way
            if session.window.full():
                return
            session.send_frame(heavy=False)
        record = session.trainer.step()
        session.stepping[0] -= 1
        session.stepped(record)
        if not record.applied or time.monotonic() >= deadline:
            break
    if session.stepping[0] == 0 or (record is not None and not record.applied):
        _finish_stepping(session, record)


def _finish_stepping(session, record=None) -> None:
    """End a `step {count}` (done, refused, or cut short by a pause) with its one frame."""
    message_id, session.stepping = session.stepping[1], None
    session.send_frame(heavy=True, message_id=message_id)
    if record is not None and not record.applied:
        session.diverged(record, message_id, frame=False)
