"""The /ws endpoint: checks the origin, bridges one WebSocket to one Session, cleans up."""
import asyncio
import contextlib

import orjson
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from . import frames
from .messages import HANDLERS
from .origin import origin_allowed
from .protocol import ProtocolError, parse_message
from .ratelimit import TokenBucket
from .replies import Error, reply
from .session import Session

DETAIL_MODES = ("every", "heavy")  # /ws?detail=: detail in every frame, or only with the heavy parts


async def serve_websocket(websocket: WebSocket, settings, registry: set, scheduler, workbench) -> None:
    """Run one session for the life of the connection."""
    headers = websocket.headers
    if not origin_allowed(headers.get("origin"), headers.get("host"), settings.allow_origins):
        await websocket.close(code=1008, reason="origin not allowed; see --allow-origin")
        return
    await websocket.accept()
    refusal = _refusal(websocket, settings, registry)
    if refusal:
        await websocket.close(*refusal)
        return
    loop = asyncio.get_running_loop()
    outbox: asyncio.Queue = asyncio.Queue()

    def post(text: str, is_frame: bool) -> None:
        loop.call_soon_threadsafe(outbox.put_nowait, (text, is_frame))

    query = websocket.query_params
    detail = query.get("detail", "every")
    session = Session(settings, post, scheduler, workbench, acks=query.get("ack") == "1",
                      sparse_detail=detail == "heavy")
    session.client = _client(websocket)
    registry.add(session)
    session.start()
    if detail not in DETAIL_MODES:
        post(frames.to_json(reply(Error, None, field=None, message=(
            f"detail={detail[:40]!r} in the URL is not one of {', '.join(DETAIL_MODES)}; "
            "every frame carries its detail"))), False)
    sender = asyncio.create_task(_send_all(websocket, outbox, session))
    watchdog = asyncio.create_task(_watch_idle(session, settings.idle_timeout))
    try:
        await _receive_all(websocket, session, settings, post)
    finally:
        try:
            for task in (sender, watchdog):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await asyncio.to_thread(session.close)  # waits for a turn in progress to end
        finally:  # even when this cleanup is itself cancelled, the session stops being counted
            session.closed = True
            registry.discard(session)


def _client(websocket: WebSocket) -> str:
    """The client's address (the proxy's, behind one)."""
    return websocket.client.host if websocket.client else "unknown"


def _refusal(websocket: WebSocket, settings, registry: set):
    """(close code, reason) when this process or this client has its fill of sessions."""
    if len(registry) >= settings.max_sessions:
        return 1013, f"server full: {settings.max_sessions} sessions; try again later"
    client = _client(websocket)
    if sum(s.client == client for s in registry) >= settings.max_sessions_per_client:
        return 1008, f"too many sessions from {client}: at most {settings.max_sessions_per_client}"
    return None


async def _receive_all(websocket: WebSocket, session: Session, settings, post) -> None:
    """Parse each message; refuse bad ones with an `error`, hand good ones to the session.
    Past the rate limit, messages are refused with an `error`, except pauses and acks."""
    bucket = TokenBucket(settings.message_rate, settings.message_burst)
    while True:
        try:
            event = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if event["type"] == "websocket.disconnect":
            return
        try:
            message = _parse(event, settings.max_message_bytes)
        except ProtocolError as exc:
            post(frames.to_json(reply(Error, exc.message_id, message=exc.message,
                                      field=exc.field)), False)
            continue
        handler = HANDLERS[message.type]
        if handler.rate_limited and not bucket.take():
            post(frames.to_json(reply(Error, message.id, field=None, message=(
                f"{message.type}: refused, over the limit of {settings.message_rate:g} messages a "
                "second per session"))), False)
        elif handler.on_arrival:
            handler.run(session, message)
        else:
            session.submit(message)


def _parse(event: dict, limit: int):
    """A client message from a WebSocket event, or ProtocolError."""
    text = event.get("text")
    if text is None:
        raise ProtocolError("binary messages are not accepted; send JSON text")
    size = len(text) if len(text) * 4 <= limit else len(text.encode())  # UTF-8 bytes
    if size > limit:
        raise ProtocolError(f"message of {size} bytes is over the {limit}-byte limit")
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(f"not valid JSON: {exc}") from None
    return parse_message(document)


async def _send_all(websocket: WebSocket, outbox: asyncio.Queue, session: Session) -> None:
    """Write replies in order; count frames out so the session can pace its frames."""
    while True:
        text, is_frame = await outbox.get()
        try:
            await websocket.send_text(text)
        finally:
            if is_frame:
                session.frame_written()


async def _watch_idle(session: Session, idle_timeout: float) -> None:
    """Pause a playing session whose client has sent nothing for the idle time."""
    while True:
        await asyncio.sleep(min(idle_timeout / 4, 1.0))
        if session.playing and session.idle_for() > idle_timeout:
            session.pause_for_idle()
