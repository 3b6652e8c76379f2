"""The server's settings: one typed class, passed to worker processes through the environment."""
import json
import os
from dataclasses import asdict, dataclass, fields

ENV = "BACKPROP_LAB_SETTINGS"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    allow_origins: tuple = ()  # extra browser origins accepted, e.g. "http://lab.example:8080"
    idle_timeout: float = 1800.0  # seconds without a client message before a playing session pauses
    fps: float = 30.0  # default frames per second while playing
    heavy_interval: float = 0.25  # seconds between refreshes of output grid and neuron maps
    max_in_flight: int = 3  # frames on their way to a client at once
    max_unsent_steps: int = 5000  # steps awaiting a frame before training waits (backpressure)
    max_message_bytes: int = 64 * 1024  # larger messages get an `error`
    max_transport_bytes: int = 1024 * 1024  # larger messages close the socket with 1009
    snapshot_every: int = 1000  # a full snapshot in the trace every K steps (and 1, 2, 5, ... before)
    max_sessions: int = 64  # per process; the next connection is closed with 1013
    max_sessions_per_client: int = 16  # per client address; the next is closed with 1008
    message_rate: float = 100.0  # messages a second per session, on average (pauses always pass)
    message_burst: float = 200.0  # ... and in a burst

    def to_env(self) -> dict:
        """Environment variables that carry these settings to uvicorn's worker processes."""
        return {ENV: json.dumps(asdict(self))}

    @classmethod
    def from_env(cls) -> "Settings":
        """Settings from the environment (as `to_env` wrote them), else the defaults."""
        raw = json.loads(os.environ.get(ENV, "{}"))
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known}
        return cls(**values)
