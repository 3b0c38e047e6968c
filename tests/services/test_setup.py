"""Setting up: the schema and the pack, loaded once however often ``initialise`` runs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from infoshare.errors import ConflictError, UnknownReferenceError
from infoshare.protocol.loader import load_builtin_pack
from infoshare.protocol.schema import Membership, ProtocolPack
from infoshare.services.database import Database, open_database
from infoshare.services.organisations import list_organisations
from infoshare.services.setup import initialise, load_pack, upgrade_schema
from infoshare.services.staff import create_staff
from infoshare.store import schema
from infoshare.store.models import PurposeRecord
from tests.services.conftest import NOW, PACK
from tests.support.databases import row_counts


def _with(base: ProtocolPack, **changes: object) -> ProtocolPack:
    return base.model_copy(update=changes)


def test_initialise_creates_the_schema_and_loads_the_pack(database_url: str) -> None:
    report = initialise(database_url, PACK, now=NOW)
    assert report.schema.before is None
    assert report.schema.after == schema.head_revision()
    assert report.pack_action == "loaded"
    pack = load_builtin_pack(PACK)
    assert report.catalogue_counts["purposes"] == len(pack.purposes)
    assert report.catalogue_counts["roles"] == len(pack.roles)
    assert report.catalogue_counts["clauses"] == (
        len(pack.principles) + len(pack.procedures) + len(pack.sections)
    )
    assert sorted(report.organisations_added) == sorted(o.code for o in pack.organisations)


def test_initialise_is_idempotent(initialised_url: str) -> None:
    before = row_counts(initialised_url)
    report = initialise(initialised_url, PACK, now=NOW)
    assert report.pack_action == "unchanged"
    assert report.organisations_added == ()
    assert not report.schema.changed
    assert row_counts(initialised_url) == before


def test_seven_of_the_ten_parties_had_approved_on_1_october_2002(db: Database) -> None:
    organisations = list_organisations(db.unit_of_work())
    parties = [o for o in organisations if o.membership == Membership.PARTY]
    supporting = [o for o in organisations if o.membership == Membership.SUPPORTING_MEMBER]
    assert len(parties) == 10
    assert len(supporting) == 6
    approved = [o for o in parties if o.adoption is not None]
    assert len(approved) == 7
    assert all(o.adoption.approved_on <= date(2002, 10, 1) for o in approved)  # type: ignore[union-attr]
    assert all(o.adoption is None for o in supporting)
    # parties first, as section 1.2 lists them
    assert organisations[: len(parties)] == parties


def test_a_different_pack_is_refused_and_nothing_changes(initialised_url: str) -> None:
    pack = load_builtin_pack(PACK)
    other = _with(pack, pack=pack.pack.model_copy(update={"id": "somewhere-2024"}))
    before = row_counts(initialised_url)
    db = open_database(initialised_url)
    try:
        with pytest.raises(ConflictError, match="`leeds-2002`") as caught:
            load_pack(db, other, now=NOW)
    finally:
        db.dispose()
    assert "`somewhere-2024`" in caught.value.message
    assert row_counts(initialised_url) == before


def test_a_new_version_of_the_pack_updates_the_catalogues(db: Database) -> None:
    pack = load_builtin_pack(PACK)
    dropped = pack.purposes[-1]
    renamed = pack.purposes[0].model_copy(update={"title": "Care, as renamed"})
    newer = _with(
        pack,
        pack=pack.pack.model_copy(update={"version": "2003.04"}),
        purposes=[renamed, *pack.purposes[1:-1]],
    )
    report = load_pack(db, newer, now=NOW)
    assert report.pack_action == "updated"
    assert report.pack_version == "2003.04"
    assert report.catalogue_counts["purposes"] == len(pack.purposes) - 1
    with db.unit_of_work().reading() as uow:
        titles = {p.id: p.title for p in uow.session.scalars(select(PurposeRecord))}
    assert titles[renamed.id] == "Care, as renamed"
    assert dropped.id not in titles


def test_a_new_version_cannot_drop_a_role_someone_holds(db: Database) -> None:
    create_staff(
        db.unit_of_work(), organisation_code="LTHT", name="Test Person",
        email="test.person@ltht.example", job_title="Caldicott Guardian",
        roles=["designated-officer"], now=NOW,
    )  # fmt: skip
    pack = load_builtin_pack(PACK)
    newer = _with(
        pack,
        pack=pack.pack.model_copy(update={"version": "2003.04"}),
        roles=[r for r in pack.roles if r.id != "designated-officer"],
    )
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match="`designated-officer`"):
        load_pack(db, newer, now=NOW)
    assert row_counts(db.url) == before


def test_an_unknown_pack_name_is_refused_before_anything_is_written(database_url: str) -> None:
    with pytest.raises(UnknownReferenceError, match="`no-such-pack`"):
        initialise(database_url, "no-such-pack", now=NOW)
    assert schema.current_revision(database_url) is None


def test_upgrade_schema_reports_before_and_after(database_url: str) -> None:
    first = upgrade_schema(database_url)
    second = upgrade_schema(database_url)
    assert (first.before, first.changed) == (None, True)
    assert (second.before, second.changed) == (schema.head_revision(), False)
