"""A real browser against a real server: Debian's Chromium, driven by Playwright, headless.

Nothing is downloaded: Playwright launches ``/usr/bin/chromium`` (``.ci/run`` installs it
when missing). Without it these tests are skipped, unless INFOSHARE_REQUIRE_BROWSER=1 (CI),
where they fail. The server is uvicorn in a thread on 127.0.0.1 over plain HTTP: Chromium
treats loopback as a secure context, so the ``__Host-`` Secure cookies work as on HTTPS.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from tests.api.running_app import app_for
from tests.support.accounts_world import TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("INFOSHARE_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message + " and INFOSHARE_REQUIRE_BROWSER=1")
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """The app on a copy of the accounts world, served at http://127.0.0.1:<port>."""
    for url in database_templates.copy(request, "sqlite", TEMPLATE, build_world):
        port = _free_port()
        config = uvicorn.Config(app_for(url), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("the server did not start within 10 s")
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture
def page(chromium_path: Path, tmp_path: Path) -> Iterator[object]:
    """A page in a fresh Chromium profile (its own user-data folder), headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(chromium_path),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def screenshot(page: object, name: str) -> None:
    """Save the whole page as ``test-artifacts/<name>.png`` for review."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


@contextmanager
def served(url: str) -> Iterator[str]:
    """The app on the database at ``url``, served at http://127.0.0.1:<port> while open."""
    port = _free_port()
    config = uvicorn.Config(app_for(url), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
