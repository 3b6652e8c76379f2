"""Client messages by family, each model beside its handler; importing this registers them all."""
from . import acks, configuration, inspection, instruments, playback
from .playback import Idle
from .registry import HANDLERS, ClientMessage

CLIENT_TYPES = tuple(kind for kind, h in HANDLERS.items() if h.from_client)

__all__ = ["CLIENT_TYPES", "HANDLERS", "ClientMessage", "Idle", "acks", "configuration", "inspection",
           "instruments", "playback"]
