"""Who may change the register: agreements:manage, and staff only for their own party
(Section 4.1, Procedure B1); each refusal is in the access log and nothing else changes.
"""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.errors import PermissionDeniedError
from infoshare.policy.access import Actor
from infoshare.services import adoption, agreements
from infoshare.services.access_log import CONSOLE, Outcome, Requester, RequesterKind, recent_entries
from infoshare.services.database import Database
from tests.services.agreement_files import HOSPITAL_DISCHARGE, example_text, unsigned
from tests.services.conftest import NOW
from tests.support.databases import row_counts

TEXT = unsigned(example_text("hospital-discharge.yaml"))


def _staff(code: str, *roles: str) -> Requester:
    actor = Actor(organisation_code=code, roles=frozenset(roles), reference="test")
    return Requester(RequesterKind.STAFF, f"someone@{code.lower()}.example", "127.0.0.1", actor)


def _import(db: Database, requester: Requester) -> agreements.AgreementSummary:
    return agreements.import_agreement(
        db.unit_of_work(), TEXT, "hd.yaml", now=NOW, requester=requester
    )


@pytest.mark.parametrize(
    "requester",
    [_staff("LTHT", "practitioner"), _staff("WYP", "lead-member")],
    ids=["practitioner", "lead-member-of-another-party"],
)
def test_a_refused_change_is_logged_and_changes_nothing_else(
    db: Database, requester: Requester
) -> None:
    before = row_counts(db.url)
    with pytest.raises(PermissionDeniedError):
        _import(db, requester)
    after = row_counts(db.url)
    assert after["access_log"] == before["access_log"] + 1
    assert {k: v for k, v in after.items() if k != "access_log"} == {
        k: v for k, v in before.items() if k != "access_log"
    }
    [entry] = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert entry.actor == requester.name


def test_a_lead_member_of_a_party_and_the_manager_may_change_it(db: Database) -> None:
    assert _import(db, _staff("LTHT", "lead-member")).reference == HOSPITAL_DISCHARGE
    # The Information Sharing Manager acts for the whole protocol (Section 4.1).
    manager = _staff("NWLPCT", "information-sharing-manager")
    ended = agreements.terminate(
        db.unit_of_work(), HOSPITAL_DISCHARGE, reason="test", requester=manager, now=NOW
    )
    assert ended.status == "terminated"


def test_staff_sign_only_for_their_own_party(db: Database) -> None:
    _import(db, CONSOLE)
    with pytest.raises(PermissionDeniedError, match="`LTHT`"):
        agreements.sign(
            db.unit_of_work(), HOSPITAL_DISCHARGE, organisation="LCC", name="P Ackroyd",
            post="Caldicott Guardian", signed_on=date(2003, 3, 24),
            requester=_staff("LTHT", "lead-member"), now=NOW,
        )  # fmt: skip
    signed = agreements.sign(
        db.unit_of_work(), HOSPITAL_DISCHARGE, organisation="LCC", name="P Ackroyd",
        post="Caldicott Guardian", signed_on=date(2003, 3, 24),
        requester=_staff("LCC", "lead-member"), now=NOW,
    )  # fmt: skip
    assert [p.signed for p in signed.parties] == [False, True]


def test_adoption_is_recorded_only_by_the_party_itself(db: Database) -> None:
    before = row_counts(db.url)
    with pytest.raises(PermissionDeniedError):
        adoption.record_adoption(
            db.unit_of_work(), "LCC", approved_on=date(2002, 11, 27),
            approving_body="Executive Board", requester=_staff("WYP", "lead-member"),
        )  # fmt: skip
    assert row_counts(db.url)["access_log"] == before["access_log"] + 1
    rows = {r.organisation: r for r in adoption.adoption_table(db.unit_of_work())}
    assert rows["LCC"].approved_on is None
