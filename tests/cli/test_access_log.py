"""The server's access log names each request but never a one-time secret (issue #5)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from infoshare.cli.access_log import PLACEHOLDER, log_config, redact_path

INVITATION_CODE = "INVITE-4f9c2a7d81"
PASSWORD_TOKEN = "tok_9b1e77c3a0f54d2e"
OIDC_CODE = "authcode-5e8a1f"
OIDC_STATE = "state-c0ffee42"


async def answer(scope: dict[str, object], receive: object, send: object) -> None:
    """A minimal ASGI app: every path is found, so each request is logged."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def served() -> Iterator[tuple[str, Lines]]:
    """A real uvicorn server configured as ``infoshare serve`` does, and its access log."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        answer, host="127.0.0.1", port=port, log_level="info", log_config=log_config()
    )
    captured = Lines()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(captured)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", captured
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(captured)


def test_no_secret_reaches_the_access_log(served: tuple[str, Lines]) -> None:
    base, captured = served
    with httpx.Client(base_url=base) as client:
        client.get("/portal/redeem", params={"code": INVITATION_CODE})
        client.get(f"/account/set-password/{PASSWORD_TOKEN}")
        client.post(f"/account/set-password/{PASSWORD_TOKEN}")
        client.get("/sign-in/oidc/LCC/callback", params={"code": OIDC_CODE, "state": OIDC_STATE})

    log = "\n".join(captured.lines)
    # Operators still see each request, its route and its status.
    assert len(captured.lines) == 4
    assert '"GET /portal/redeem HTTP/1.1" 200' in log
    assert f'"GET /account/set-password/{PLACEHOLDER} HTTP/1.1" 200' in log
    assert f'"POST /account/set-password/{PLACEHOLDER} HTTP/1.1" 200' in log
    assert '"GET /sign-in/oidc/LCC/callback HTTP/1.1" 200' in log
    for secret in (INVITATION_CODE, PASSWORD_TOKEN, OIDC_CODE, OIDC_STATE):
        assert secret not in log


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/portal/redeem?code=abc", "/portal/redeem"),
        ("/account/set-password/abc", f"/account/set-password/{PLACEHOLDER}"),
        ("/account/set-password/abc?x=1", f"/account/set-password/{PLACEHOLDER}"),
        ("/people/42/consents", "/people/42/consents"),
    ],
)
def test_redact_path_keeps_the_route_and_drops_the_secret(path: str, logged: str) -> None:
    assert redact_path(path) == logged
