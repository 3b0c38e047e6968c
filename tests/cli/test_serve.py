"""``infoshare serve`` refuses unsafe settings (exit 2) and an uninitialised database (exit 1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infoshare.cli import serve
from infoshare.cli.main import app
from tests.api.running_app import TEMPLATE, initialise_leeds
from tests.support.databases import DatabaseTemplates

runner = CliRunner()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only what each test sets may reach the settings.
    for name in (
        "INFOSHARE_ENVIRONMENT",
        "INFOSHARE_DATABASE_URL",
        "INFOSHARE_SECRET_KEY",
        "INFOSHARE_HOST",
        "INFOSHARE_PORT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What uvicorn was asked to run, instead of running it."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: object, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(serve.uvicorn, "run", fake_run)
    return calls


@pytest.fixture
def leeds_sqlite_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, "sqlite", TEMPLATE, initialise_leeds)


def test_serve_refuses_the_public_development_secret_in_production(
    tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    result = runner.invoke(
        app,
        ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        env={"INFOSHARE_ENVIRONMENT": "production"},
    )

    assert result.exit_code == 2
    assert "INFOSHARE_SECRET_KEY" in result.stderr
    assert started == []


def test_serve_refuses_development_settings_on_a_public_address(
    leeds_sqlite_url: str, started: list[dict[str, Any]]
) -> None:
    result = runner.invoke(
        app,
        ["serve", "--host", "0.0.0.0", "--db", leeds_sqlite_url],  # noqa: S104 - the point
        env={"INFOSHARE_ENVIRONMENT": "development"},
    )

    assert result.exit_code == 2
    assert "INFOSHARE_HOST" in result.stderr
    assert "`0.0.0.0`" in result.stderr
    assert started == []


def test_serve_refuses_a_port_out_of_range(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    result = runner.invoke(
        app,
        ["serve", "--port", "70000", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        env={"INFOSHARE_ENVIRONMENT": "development"},
    )

    assert result.exit_code == 2
    assert "INFOSHARE_PORT" in result.stderr
    assert started == []


def test_serve_refuses_an_uninitialised_database_and_says_to_run_init(
    tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    path = tmp_path / "never-initialised.db"

    result = runner.invoke(
        app, ["serve", "--db", f"sqlite:///{path}"], env={"INFOSHARE_ENVIRONMENT": "development"}
    )

    assert result.exit_code == 1
    assert "infoshare init" in result.stderr
    assert started == []
    assert not path.exists()  # looking did not create an empty database


def test_serve_refuses_a_migrated_database_without_a_pack(
    migrated_database_url: str, started: list[dict[str, Any]]
) -> None:
    result = runner.invoke(
        app, ["serve", "--db", migrated_database_url], env={"INFOSHARE_ENVIRONMENT": "test"}
    )

    assert result.exit_code == 1
    assert "no protocol pack" in result.stderr
    assert "infoshare init" in result.stderr
    assert started == []


def test_serve_runs_a_ready_database_with_settings_and_no_server_banner(
    leeds_sqlite_url: str, started: list[dict[str, Any]]
) -> None:
    result = runner.invoke(
        app,
        ["serve", "--db", leeds_sqlite_url],
        env={"INFOSHARE_ENVIRONMENT": "development", "INFOSHARE_PORT": "8123"},
    )

    assert result.exit_code == 0, result.stderr
    assert len(started) == 1
    call = started[0]
    assert call["host"] == "127.0.0.1"
    assert call["port"] == 8123
    assert call["server_header"] is False
    # The access log is kept, with the filter that takes secrets out of it (issue #5).
    assert call["log_config"]["loggers"]["uvicorn.access"]["filters"] == ["redact_secrets"]
    assert call["app"].title == "infoshare API"


def test_serve_options_override_the_environment(
    leeds_sqlite_url: str, started: list[dict[str, Any]]
) -> None:
    result = runner.invoke(
        app,
        ["serve", "--db", leeds_sqlite_url, "--host", "::1", "--port", "9001"],
        env={"INFOSHARE_ENVIRONMENT": "development", "INFOSHARE_PORT": "8123"},
    )

    assert result.exit_code == 0, result.stderr
    assert (started[0]["host"], started[0]["port"]) == ("::1", 9001)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.10", False), ("infoshare.example", False), ("::", False)],  # noqa: S104 - a test value, not a binding
)  # fmt: skip
def test_only_loopback_addresses_count_as_private(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback
