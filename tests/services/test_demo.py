"""Demo data: seeded, synthetic, shaped like the protocol's partners, and added only once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from infoshare.domain.identifiers import parse_nhs_number
from infoshare.errors import ConflictError
from infoshare.services.database import Database, open_database
from infoshare.services.demo import DemoReport, DemoSize, build_demo
from infoshare.services.staff import create_staff, list_staff
from infoshare.store.models import LocalIdentifierRecord, ServiceUserRecord
from tests.services.conftest import NOW
from tests.support.databases import DatabaseTemplates, row_counts

TINY = DemoSize("tiny", staff=80, service_users=60)


def _nhs_numbers(db: Database) -> list[str]:
    with db.unit_of_work().reading() as uow:
        return sorted(uow.session.scalars(select(ServiceUserRecord.nhs_number)))


def _build(db: Database, seed: int = 7) -> DemoReport:
    return build_demo(db, TINY, seed=seed, now=NOW)


def test_the_demo_has_the_protocols_roles_in_every_party(db: Database) -> None:
    report = _build(db)
    assert report.created
    assert report.service_users == TINY.service_users
    assert report.staff >= TINY.staff
    # the seed's own state on 1 October 2002 (Procedure C1): LCC, EDL and WYP awaited
    assert (report.parties, report.parties_adopted) == (10, 7)
    staff = list_staff(db.unit_of_work(), include_inactive=True)
    managers = [s for s in staff if "information-sharing-manager" in s.roles]
    assert len(managers) == 1
    parties = {"LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL", "WYP"}
    for role in ("designated-officer", "lead-member"):
        assert parties <= {s.organisation_code for s in staff if role in s.roles}, role
    assert any(s.roles == ("practitioner",) for s in staff)
    # key people are trained; some practitioners are not yet, to show Principle 14 at work
    assert all(s.training_completed_on for s in staff if "designated-officer" in s.roles)
    assert report.sample_staff[0] == managers[0]


def test_service_users_have_valid_nhs_numbers_and_one_to_three_local_identifiers(
    db: Database,
) -> None:
    _build(db)
    numbers = _nhs_numbers(db)
    assert all(parse_nhs_number(n) == n for n in numbers)
    with db.unit_of_work().reading() as uow:
        holders = list(uow.session.scalars(select(LocalIdentifierRecord.service_user_id)))
    per_person = Counter(holders)
    assert len(per_person) == TINY.service_users
    assert set(per_person.values()) <= {1, 2, 3}


@contextmanager
def _another_database(
    request: pytest.FixtureRequest, templates: DatabaseTemplates, db: Database
) -> Iterator[Database]:
    """A second initialised database on the same engine as ``db``."""
    copies = templates.copy(request, db.engine.dialect.name, "leeds-2002", _template_exists)
    other = open_database(next(copies))
    try:
        yield other
    finally:
        other.dispose()
        copies.close()


def _template_exists(url: str) -> None:
    raise AssertionError("the template was built by the db fixture")  # pragma: no cover


def _emails(db: Database) -> list[str]:
    return [s.email for s in list_staff(db.unit_of_work(), include_inactive=True)]


def test_the_same_seed_gives_the_same_people(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates, db: Database
) -> None:
    _build(db, seed=11)
    with _another_database(request, database_templates, db) as other:
        _build(other, seed=11)
        assert _nhs_numbers(other) == _nhs_numbers(db)
        assert _emails(other) == _emails(db)


def test_another_seed_gives_other_people(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates, db: Database
) -> None:
    _build(db, seed=11)
    with _another_database(request, database_templates, db) as other:
        _build(other, seed=12)
        assert _nhs_numbers(other) != _nhs_numbers(db)
        assert _emails(other) != _emails(db)


def test_a_second_run_adds_nothing(db: Database) -> None:
    first = _build(db, seed=3)
    before = row_counts(db.url)
    second = build_demo(db, DemoSize("small", 300, 3000), seed=99, now=NOW)
    assert not second.created
    assert (second.size, second.seed) == ("tiny", 3)
    assert (second.staff, second.service_users) == (first.staff, first.service_users)
    assert row_counts(db.url) == before


def test_the_demo_refuses_a_database_with_real_people(db: Database) -> None:
    create_staff(
        db.unit_of_work(), organisation_code="LTHT", name="Real Person",
        email="real.person@ltht.example", job_title="Nurse", roles=["practitioner"], now=NOW,
    )  # fmt: skip
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match="not demo data"):
        _build(db)
    assert row_counts(db.url) == before
