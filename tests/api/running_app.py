"""An infoshare app on a database initialised with the leeds-2002 pack, for HTTP tests.

The database is copied from a per-session template (``tests/support/databases``), so each
test gets its own, on SQLite and on PostgreSQL, without migrating it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from infoshare.api.app import create_app
from infoshare.services.setup import initialise
from infoshare.settings import Environment, load_settings

PACK = "leeds-2002"
#: the template's name; its own, so no other suite's template is mistaken for it
TEMPLATE = "leeds-2002-http"
LOADED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def initialise_leeds(url: str) -> None:
    initialise(url, PACK, now=LOADED_AT)


def app_for(url: str) -> FastAPI:
    """The app as ``infoshare serve`` builds it, on the database at ``url``."""
    return create_app(load_settings(database_url=url, environment=Environment.TEST))


@contextmanager
def client_for(app: FastAPI) -> Iterator[TestClient]:
    """A client for ``app``; leaving it runs the app's shutdown, closing its connections."""
    with TestClient(app) as client:
        yield client
