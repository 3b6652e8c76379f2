"""The client's acknowledgement of an applied frame (connections opened as /ws?ack=1)."""
from typing import Literal

from ..replies import Error
from .registry import ClientMessage, handles

NOTHING_TO_ACK = ("ack: no frame to acknowledge (acks are for connections opened as /ws?ack=1, "
                  "one per frame received)")


class Ack(ClientMessage):
    """The client applied a frame (only on connections opened with ?ack=1)."""
    type: Literal["ack"]


@handles(Ack, on_arrival=True)
def ack(session, m: Ack) -> None:
    """Free the frame's place in flight (on the event loop), or refuse an ack with no frame."""
    if not session.frame_acked():
        session.outbox.send(Error, m.id, field=None, message=NOTHING_TO_ACK)
