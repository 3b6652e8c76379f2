"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against a real server.

- `live_server` / `base_url`: create_app(Settings(...)) under uvicorn on a free loopback port, in
  a thread (one per session).
- `browser`: Chromium at /usr/bin/chromium (one per session; BACKPROP_LAB_CHROMIUM overrides the
  path). Missing, the browser tests are skipped with the reason printed, except when `CI` is
  set: then they fail.
- `page`: a fresh context and page per test, opened at the server and waiting until the
  hello and the first frame arrived (`#status` shows `paused`). Every console message and page
  error is collected in `page_log`, which asserts at the end of the test that none was an error.
"""
import asyncio
import os
import re
import socket
import sys
import threading
import time

import pytest
import uvicorn

from server.app import create_app
from server.settings import Settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # `import labpage`, however collected
from labpage import open_page  # noqa: E402

CHROMIUM = os.environ.get("BACKPROP_LAB_CHROMIUM", "/usr/bin/chromium")  # overridable to test the skip
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Snapshots every few steps, so that a short run's exported trace holds some to replay.
SETTINGS = Settings(snapshot_every=5)
# Console noise that is not the page's: Chromium's software-GL warnings.
IGNORED_CONSOLE = re.compile(r"GL Driver Message|GPU stall due to ReadPixels|Automatic fallback to software WebGL")


def _unavailable(reason: str) -> None:
    """Skip (printing why), or fail when running in CI, which must run the browser tests."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    print(f"\nskipping the browser tests: {reason}", file=sys.stderr)
    pytest.skip(reason)


def pytest_report_header(config):
    if os.path.exists(CHROMIUM):
        return f"browser tests: {CHROMIUM}"
    outcome = "they fail (CI is set)" if os.environ.get("CI") else "skipped"
    return f"browser tests: {CHROMIUM} does not exist: {outcome}"


# ---- the server ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def live_server():
    """(base url, app): a real uvicorn server on a free loopback port, in a background thread."""
    app = create_app(SETTINGS)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws_per_message_deflate=False,
                            ws_max_size=SETTINGS.max_transport_bytes, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),),
                              name="browser-tests-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server[0] + "/"


# ---- the browser --------------------------------------------------------------------------------
# Module scope: sync Playwright keeps an event loop running in the main thread while it is
# open, which would break later tests that call asyncio.run().
@pytest.fixture(scope="module")
def playwright_instance():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} does not exist (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"the playwright package is not installed ({exc})")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageLog:
    """Console messages and page errors of one page."""

    def __init__(self):
        self.messages = []  # (type, text)
        self.errors = []  # uncaught exceptions (pageerror)
        self.allowed = []  # regexes of error texts a test expects

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def attach(self, page) -> None:
        page.on("console", lambda m: self.messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def problems(self) -> list:
        found = [f"console.{kind}: {text}" for kind, text in self.messages
                 if kind == "error" and not IGNORED_CONSOLE.search(text)]
        found += [f"page error: {text}" for text in self.errors]
        return [p for p in found if not any(a.search(p) for a in self.allowed)]


@pytest.fixture
def page_log():
    log = PageLog()
    yield log
    problems = log.problems()
    assert not problems, "the page logged errors:\n" + "\n".join(problems)


@pytest.fixture
def context(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


@pytest.fixture
def page(context, base_url, page_log):
    return open_page(context, base_url, page_log)


@pytest.fixture
def catalog(live_server) -> dict:
    """GET /api/catalog from the live server."""
    import json
    from urllib.request import urlopen
    with urlopen(live_server[0] + "/api/catalog", timeout=10) as response:
        return json.load(response)
