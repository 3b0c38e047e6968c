"""``infoshare serve``: run the web pages and the API with uvicorn.

It refuses to start rather than serve insecurely or brokenly: unsafe settings are a
ConfigurationError (exit 2), and a database that is not initialised (no schema, an old
schema, no protocol pack) is a NotReadyError (exit 1) telling the user to run
``infoshare init``. The access log never carries a one-time secret (see access_log.py).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
import uvicorn

from infoshare.api import review_sweep
from infoshare.api.app import create_app
from infoshare.cli.access_log import log_config
from infoshare.cli.database_option import DatabaseOption
from infoshare.cli.errors import handles_errors, stderr
from infoshare.errors import ConfigurationError, NotReadyError
from infoshare.services.database import open_database, redacted_url
from infoshare.services.readiness import check_readiness
from infoshare.settings import Environment, Settings, load_settings

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_safe_to_serve(settings: Settings) -> None:
    """Refuse settings that would put a development configuration on the network."""
    if settings.environment is not Environment.PRODUCTION and not is_loopback(settings.host):
        raise ConfigurationError(
            f"INFOSHARE_HOST: `{settings.host}` is reachable from other machines, but "
            f"INFOSHARE_ENVIRONMENT is `{settings.environment}`, whose secret key is public; "
            "listen on `127.0.0.1`, or set INFOSHARE_ENVIRONMENT=production with a random "
            "INFOSHARE_SECRET_KEY",
            field="INFOSHARE_HOST",
        )


def check_database_ready(settings: Settings) -> None:
    """Raise NotReadyError, saying what to do, unless the database can be served."""
    database = open_database(settings.sqlalchemy_url)
    try:
        readiness = check_readiness(database)
    finally:
        database.dispose()
    if readiness.problem is not None:
        raise NotReadyError(
            f"{readiness.problem} (database `{redacted_url(settings.sqlalchemy_url)}`)",
            field="INFOSHARE_DATABASE_URL",
        )


@handles_errors
def serve_command(
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Address to listen on (default INFOSHARE_HOST, 127.0.0.1).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", help="Port to listen on (default INFOSHARE_PORT, 8000).", show_default=False
        ),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Serve the public pages, the web application and the API over HTTP."""
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if db is not None:
        overrides["database_url"] = db
    settings = load_settings(**overrides)
    check_safe_to_serve(settings)
    check_database_ready(settings)
    app = create_app(settings)
    # Section 4.4: what became due for review while nothing was serving is marked now
    moved = review_sweep.sweep_once(app.state.database)
    if moved:
        stderr.print(f"{len(moved)} agreement(s) now due for review (Section 4.4)")
    stderr.print(f"serving http://{settings.host}:{settings.port}/ (stop with Ctrl+C)")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        # Say nothing about what software answers (Procedure B1).
        server_header=False,
        log_level="info",
        # The access log stays, but with no query string and no link token in it.
        log_config=log_config(),
    )
