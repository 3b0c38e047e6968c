"""Every route of the app × every principal × own party / other party: the expected answer.

Procedure B1, Principles 7 and 12 as a table (``access_matrix_data.py``). The routes are
enumerated from the app itself, so a route added without a row fails
``test_every_route_has_a_row``. Each principal runs the whole table in one session on a copy
of the matrix world, on SQLite and PostgreSQL; the test asserts that 100% of cells match and
that every refusal added exactly one entry to the access log (a 404 counts as a refusal when
it hides another party's record), and that a success added none.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infoshare.services.database import open_database
from tests.api.running_app import app_for
from tests.support.databases import DatabaseTemplates
from tests.web.access_matrix_data import (
    MATRIX,
    NOT_ASKED,
    PRINCIPALS,
    SIGN_IN_STEPS,
)
from tests.web.matrix_runner import ask, path_of, signed_in_as, variants_of
from tests.web.matrix_world import TEMPLATE, app_routes, build_matrix_world, ids_of, issue_token

REFUSALS = frozenset({401, 403})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_matrix_world)


@pytest.fixture(autouse=True)
def _no_pdf_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    # The matrix is about who may ask; laying out PDFs (seconds each) is tested with the
    # pages that make them.
    import weasyprint  # type: ignore[import-untyped]

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda *_a, **_k: b"%PDF-1.7 matrix")


def _keys(url: str) -> list[tuple[str, str, str, str]]:
    """(row key, method, template, variant) of every route the app answers."""
    keys = []
    for method, template in app_routes(app_for(url)):
        if f"{method} {template}" in NOT_ASKED:
            continue
        for variant in variants_of(template):
            keys.append((f"{method} {template} {variant}", method, template, variant))
    return keys


def test_every_route_has_a_row_and_every_row_a_route(tmp_path) -> None:  # type: ignore[no-untyped-def]
    keys = {key for key, *_ in _keys(f"sqlite:///{tmp_path / 'never-initialised.db'}")}
    assert sorted(keys - set(MATRIX)) == [], "routes without a row in access_matrix_data.py"
    assert sorted(set(MATRIX) - keys) == [], "rows of routes the app no longer has"
    for key, row in MATRIX.items():
        assert set(row) == set(PRINCIPALS), key


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_route_answers_as_the_matrix_says(world_url: str, principal: str) -> None:
    ids = ids_of(world_url)
    api_token = issue_token(world_url)
    database = open_database(world_url)
    mismatches = []
    try:
        with signed_in_as(world_url, principal, api_token) as (client, csrf_token):
            for key, method, template, variant in _keys(world_url):
                want = MATRIX[key][principal]
                path = path_of(template, ids, variant)
                answer = ask(client, database, method, path, csrf_token)
                if answer.status != want:
                    mismatches.append(f"{key}: {answer.status}, expected {want}")
                refusal = want in REFUSALS or (want == 404 and variant == "other")
                if refusal and key not in SIGN_IN_STEPS and answer.denials_logged != 1:
                    mismatches.append(f"{key}: refusal logged {answer.denials_logged} times")
                if want < 400 and answer.denials_logged != 0:
                    mismatches.append(f"{key}: {answer.denials_logged} refusals logged")
    finally:
        database.dispose()
    assert mismatches == []
