"""The public overview: catalogues from the stored pack, adoption from the stored partners."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.errors import NotReadyError
from infoshare.protocol.loader import load_builtin_pack
from infoshare.protocol.schema import Membership
from infoshare.services.database import Database, open_database
from infoshare.services.organisations import create_organisation, record_adoption
from infoshare.services.protocol_overview import (
    AdoptionState,
    ApprovalCount,
    build_protocol_overview,
    organisations_from_pack,
    protocol_overview,
    public_organisations,
)
from infoshare.services.setup import load_pack
from tests.services.conftest import NOW, PACK


def test_the_overview_from_the_database_matches_the_pack_as_loaded(db: Database) -> None:
    pack = load_builtin_pack(PACK)

    stored = protocol_overview(db.unit_of_work())

    assert stored == build_protocol_overview(pack, organisations_from_pack(pack))
    assert stored.approvals == ApprovalCount(approved=7, parties=10)
    assert len(stored.supporting_members) == 6
    assert sum(len(s.procedures) for s in stored.procedure_sections) == 20


def test_supporting_members_support_rather_than_await_approval(db: Database) -> None:
    organisations = public_organisations(db.unit_of_work())

    for organisation in organisations:
        if organisation.membership is Membership.SUPPORTING_MEMBER:
            assert organisation.adoption_state is AdoptionState.SUPPORTING
    awaiting = [
        o.code for o in organisations if o.adoption_state is AdoptionState.AWAITING_APPROVAL
    ]
    assert sorted(awaiting) == ["EDL", "LCC", "WYP"]


def test_an_organisation_registered_later_follows_in_code_order(db: Database) -> None:
    create_organisation(
        db.unit_of_work(),
        code="AAPCT",
        name="A later party",
        organisation_type="primary-care-trust",
        membership="party",
        now=NOW,
    )
    record_adoption(
        db.unit_of_work(), "AAPCT", approved_on=date(2003, 4, 1), approving_body="PCT Board"
    )

    overview = protocol_overview(db.unit_of_work())

    assert [o.code for o in overview.parties][-2:] == ["WYP", "AAPCT"]
    assert overview.approvals == ApprovalCount(approved=8, parties=11)
    assert overview.approvals.sentence == "8 of 11 parties have approved"


def test_a_new_version_of_the_pack_shows_at_once(db: Database) -> None:
    pack = load_builtin_pack(PACK)
    protocol_overview(db.unit_of_work())  # the old version is now cached
    info = pack.pack.model_copy(update={"version": "2003.04", "title": "Revised protocol"})
    load_pack(db, pack.model_copy(update={"pack": info}), now=NOW)

    overview = protocol_overview(db.unit_of_work())

    assert (overview.pack.version, overview.pack.title) == ("2003.04", "Revised protocol")


def test_a_database_without_a_pack_is_not_ready(migrated_database_url: str) -> None:
    db = open_database(migrated_database_url)
    try:
        with pytest.raises(NotReadyError, match="`infoshare init`"):
            protocol_overview(db.unit_of_work())
    finally:
        db.dispose()


@pytest.mark.parametrize(("approved", "parties", "sentence"), [
    (1, 1, "1 of 1 party has approved"),
    (0, 10, "0 of 10 parties have approved"),
    (7, 10, "7 of 10 parties have approved"),
])  # fmt: skip
def test_the_approval_count_reads_as_english(approved: int, parties: int, sentence: str) -> None:
    assert ApprovalCount(approved=approved, parties=parties).sentence == sentence
