"""The ISA register after the review sweep (Section 4.4): the agreements it moved show as
due for review, and the status filter finds exactly them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from infoshare.services.agreements import mark_reviews_due
from infoshare.services.database import open_database
from tests.support.accounts_world import NOW
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import TEMPLATE, build_sharing_world
from tests.web.accessibility import problems
from tests.web.signing_in import https_client


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def swept_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    for url in database_templates.copy(request, request.param, TEMPLATE, build_sharing_world):
        database = open_database(url)
        try:
            mark_reviews_due(database.unit_of_work(), today=date(2004, 3, 31), now=NOW)
        finally:
            database.dispose()
        yield url


def test_the_register_shows_what_the_sweep_marked_due(swept_url: str) -> None:
    with https_client(swept_url) as client:
        page = client.get("/agreements?status=review-due")
        assert page.status_code == 200
        assert problems(page.text) == []
        for reference in ("LEEDS-ISA-2003-001", "LEEDS-ISA-2003-004", "LEEDS-ISA-2003-007"):
            assert reference in page.text
        assert "LEEDS-ISA-2003-002" not in page.text
        assert "isa-status--review-due" in page.text

        active = client.get("/agreements?status=active").text
        assert "LEEDS-ISA-2003-002" in active
        assert "LEEDS-ISA-2003-007" not in active
