"""Fixtures for the server tests: an in-process app under Starlette's TestClient."""
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import wsclient`, however collected

from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from wsclient import Conversation  # noqa: E402


@pytest.fixture
def make_client():
    """make_client(**settings) -> a TestClient (lifespan running) on a fresh app."""
    clients = []

    def make(**settings) -> TestClient:
        client = TestClient(create_app(Settings(**settings)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def connect(client):
    """connect(**headers) -> context manager yielding an opened Conversation
    (its `hello` and step-0 `frame` are in `.hello` and `.first_frame`)."""
    @contextmanager
    def open_conversation(test_client=None, **headers):
        with (test_client or client).websocket_connect("/ws", headers=dict(headers)) as ws:
            conversation = Conversation(ws)
            conversation.hello, conversation.first_frame = conversation.open()
            yield conversation

    return open_conversation


@pytest.fixture
def conv(connect):
    """An opened conversation on the default settings."""
    with connect() as conversation:
        yield conversation
