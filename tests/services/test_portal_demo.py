"""The demo's portal account: one service user of LTHT signs in to the portal (development only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infoshare.errors import ConfigurationError
from infoshare.services.access_log import anonymous
from infoshare.services.database import Database, open_database
from infoshare.services.demo import demo_size, run_demo
from infoshare.services.demo_accounts import DEMO_PASSWORD, create_demo_portal_account
from infoshare.services.portal import report
from infoshare.services.portal_accounts import sign_in
from infoshare.services.sessions import SessionPolicy
from infoshare.settings import Environment
from tests.support.databases import DatabaseTemplates


def _demo(url: str) -> None:
    run_demo(url, "leeds-2002", demo_size("small"), seed=2002)


@pytest.fixture
def demo_db(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[Database]:
    for url in database_templates.copy(request, "sqlite", "demo-small-2002", _demo):
        database = open_database(url)
        yield database
        database.dispose()


def test_the_demo_service_user_signs_in_and_reads_their_consents(demo_db: Database) -> None:
    account = create_demo_portal_account(demo_db, Environment.DEVELOPMENT)
    assert account is not None
    again = create_demo_portal_account(demo_db, Environment.DEVELOPMENT)
    assert again == account
    new = sign_in(
        demo_db.unit_of_work(),
        email=account.email,
        password=DEMO_PASSWORD,
        requester=anonymous("127.0.0.1"),
        policy=SessionPolicy(),
    )
    own = report(demo_db, new.signed_in.requester("127.0.0.1"), new.signed_in.principal)
    assert own.nhs_number == account.nhs_number
    assert own.consents


def test_no_demo_portal_account_in_production(demo_db: Database) -> None:
    with pytest.raises(ConfigurationError):
        create_demo_portal_account(demo_db, Environment.PRODUCTION)
