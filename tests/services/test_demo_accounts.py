"""Demo sign-in accounts: one per main role at LTHT, LMHST, LCC and WYP; never in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infoshare.errors import ConfigurationError
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database, open_database
from infoshare.services.demo import demo_size, run_demo
from infoshare.services.demo_accounts import DEMO_PASSWORD, create_demo_accounts
from infoshare.services.sessions import SessionPolicy, Stage, sign_in
from infoshare.settings import Environment
from tests.support.databases import DatabaseTemplates, row_counts


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


def test_demo_accounts_cover_the_main_roles_and_sign_in(demo_db: Database) -> None:
    accounts = create_demo_accounts(demo_db, Environment.DEVELOPMENT)
    made = {(a.organisation_code, a.role) for a in accounts}
    for code in ("LTHT", "LMHST", "LCC", "WYP"):
        for role in ("practitioner", "designated-officer", "lead-member", "administrator"):
            assert (code, role) in made
    assert any(a.role == "information-sharing-manager" for a in accounts)
    for account in accounts:
        needs = account.role in ("designated-officer", "administrator")
        assert (account.totp_secret is not None) == needs
        new = sign_in(
            demo_db.unit_of_work(),
            email=account.email,
            password=DEMO_PASSWORD,
            requester=CONSOLE,
            policy=SessionPolicy(),
        )
        expected = Stage.SECOND_FACTOR if needs else Stage.SIGNED_IN
        assert new.signed_in.stage is expected
        if account.role == "administrator":
            assert "administrator" in new.signed_in.account.roles


def test_running_it_again_adds_nothing_and_gives_the_same_secrets(demo_db: Database) -> None:
    first = create_demo_accounts(demo_db, Environment.DEVELOPMENT)
    before = row_counts(demo_db.url)
    assert create_demo_accounts(demo_db, Environment.DEVELOPMENT) == first
    assert row_counts(demo_db.url) == before


def test_no_demo_accounts_in_production(demo_db: Database) -> None:
    before = row_counts(demo_db.url)
    with pytest.raises(ConfigurationError, match="INFOSHARE_ENVIRONMENT=development"):
        create_demo_accounts(demo_db, Environment.PRODUCTION)
    assert row_counts(demo_db.url) == before
