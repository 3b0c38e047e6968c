"""``/health``: ready only with a reachable, current database holding a protocol pack."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from infoshare import __version__
from tests.api.running_app import PACK, app_for, client_for


def test_health_is_ok_on_an_initialised_database(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "database": {"reachable": True, "schema_current": True},
        "pack": {"loaded": True, "id": PACK, "version": response.json()["pack"]["version"]},
        "detail": None,
    }
    assert response.headers["cache-control"] == "no-store"


def test_health_is_unavailable_before_init_and_says_what_to_do(
    migrated_database_url: str,
) -> None:
    with client_for(app_for(migrated_database_url)) as client:
        response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"reachable": True, "schema_current": True}
    assert body["pack"]["loaded"] is False
    assert "`infoshare init`" in body["detail"]


def test_health_on_a_database_never_created_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with client_for(app_for(f"sqlite:///{path}")) as client:
        response = client.get("/health")

    assert response.status_code == 503
    assert "not been initialised" in response.json()["detail"]
    assert not path.exists()


def test_health_on_an_unreachable_server_is_unavailable_and_names_no_host() -> None:
    # Port 9 (discard) on this machine: nothing listens, so the connection is refused.
    url = "postgresql+psycopg://infoshare:s3cret@127.0.0.1:9/infoshare?connect_timeout=2"
    with client_for(app_for(url)) as client:
        response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["database"]["reachable"] is False
    assert "s3cret" not in response.text
    assert "127.0.0.1" not in response.text
