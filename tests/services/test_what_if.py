"""What a candidate version would change: stored requests replayed through it (issue 4,
"What-if"), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infoshare.domain.agreement import AgreedTransfer, IsaStatus
from infoshare.domain.agreement_yaml import dump_agreement, parse_agreement
from infoshare.errors import AgreementStateError, InputError, PermissionDeniedError
from infoshare.services import agreements, disclosures
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database
from infoshare.services.what_if import what_if
from tests.services.agreement_files import unsigned
from tests.services.test_disclosures import care_request, police_request
from tests.support.accounts_world import NOW
from tests.support.sharing_world import POLICE_OFFICER, PRACTITIONER, SOCIAL_WORKER, staff

LATER = NOW + timedelta(days=1)
POST_SAFEGUARDS = [
    "named-recipient",
    "sealed-marked",
    "recorded-delivery",
    "return-address",
    "confirm-receipt",
]


def _candidate(
    db: Database, reference: str, drop: str, organisation: str = "LCC", *, post: bool = False
) -> int:
    """Import the next version of ``reference`` with ``drop`` out of ``organisation``'s rows
    (and, with ``post``, sending by post allowed: Procedure B5)."""
    isa = parse_agreement(agreements.export_agreement(db.unit_of_work(), reference), "x").agreement
    rows = [
        row.model_copy(update={"categories": [c for c in row.categories if c != drop]})
        if row.organisation == organisation
        else row
        for row in isa.need_to_know
    ]
    if post:
        by_post = AgreedTransfer(method="post", safeguards=POST_SAFEGUARDS)
        isa = isa.model_copy(update={"transfer_methods": [*isa.transfer_methods, by_post]})
    narrower = isa.model_copy(update={"version": isa.version + 1, "need_to_know": rows})
    text = unsigned(dump_agreement(narrower), "draft")
    return agreements.import_agreement(
        db.unit_of_work(), text, "v2.yaml", requester=CONSOLE
    ).version


def test_a_narrower_version_shows_the_disclosure_it_would_withhold(sharing_db: Database) -> None:
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    reference = done.decision.isa_reference
    assert reference is not None
    version = _candidate(sharing_db, reference, "physical-health")

    result = what_if(sharing_db, reference, version, requester=CONSOLE, now=LATER)
    assert result.status == IsaStatus.DRAFT
    assert result.replayed == 1
    [change] = result.changes
    assert change.source == "disclosure"
    assert change.source_id == done.disclosure_id
    assert change.before_outcome == "permit"
    assert [(c.category, c.before, c.after) for c in change.categories] == [
        ("physical-health", "permitted", "withheld")
    ]
    assert not change.wider
    assert "physical-health" in [w["category"] for w in change.after["withheld"]]
    assert all(r["clause"] for w in change.after["withheld"] for r in w["reasons"])


def test_referrals_are_replayed_as_asked_and_only_the_period_counts(
    sharing_db: Database,
) -> None:
    asked = disclosures.disclose(sharing_db, staff(POLICE_OFFICER), police_request(), now=NOW)
    assert asked.referral_id is not None
    reference = asked.decision.isa_reference
    assert reference is not None
    version = _candidate(sharing_db, reference, "identity", organisation="WYP")

    result = what_if(sharing_db, reference, version, requester=CONSOLE, now=LATER)
    assert result.replayed == 1
    [change] = result.changes
    assert (change.source, change.source_id) == ("referral", asked.referral_id)
    assert change.before_outcome == "refer"
    assert change.after_outcome != "refer"
    assert [(c.category, c.before, c.after) for c in change.categories] == [
        ("identity", "referred", "withheld")
    ]

    later = NOW + timedelta(days=40)
    assert what_if(sharing_db, reference, version, requester=CONSOLE, now=later).replayed == 0
    assert (
        what_if(sharing_db, reference, version, requester=CONSOLE, now=later, days=60).replayed == 1
    )


def test_an_unchanged_version_changes_nothing(sharing_db: Database) -> None:
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    reference = done.decision.isa_reference
    assert reference is not None
    version = _candidate(sharing_db, reference, "no-such-category")
    result = what_if(sharing_db, reference, version, requester=CONSOLE, now=LATER)
    assert (result.replayed, result.unchanged, result.changes) == (1, 1, [])


def test_bad_requests_are_refused(sharing_db: Database) -> None:
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    reference = done.decision.isa_reference
    assert reference is not None
    active = agreements.get_agreement(sharing_db.unit_of_work(), reference).agreement.version
    with pytest.raises(AgreementStateError, match="not yet in force"):
        what_if(sharing_db, reference, active, requester=CONSOLE, now=LATER)
    version = _candidate(sharing_db, reference, "identity")
    with pytest.raises(InputError, match="`0` days"):
        what_if(sharing_db, reference, version, requester=CONSOLE, days=0, now=LATER)
    with pytest.raises(PermissionDeniedError):
        what_if(sharing_db, reference, version, requester=staff(PRACTITIONER), now=LATER)


def test_a_refused_request_shows_deny_to_permit_under_a_widened_version(
    sharing_db: Database,
) -> None:
    # The agreement in force allows email, verbal and fax, not post (Procedure B5).
    refused = disclosures.disclose(
        sharing_db, staff(SOCIAL_WORKER), care_request(transfer_method="post"), now=NOW
    )
    assert refused.decision.outcome == "deny"
    reference = refused.decision.isa_reference
    assert reference is not None
    version = _candidate(sharing_db, reference, "no-such-category", post=True)

    result = what_if(sharing_db, reference, version, requester=CONSOLE, now=LATER)
    [change] = result.changes
    assert (change.source, change.source_id) == ("decision-request", refused.decision_request_id)
    assert (change.before_outcome, change.after_outcome) == ("deny", "permit")
    assert [(c.category, c.before, c.after) for c in change.categories] == [
        ("identity", "withheld", "permitted"),
        ("physical-health", "withheld", "permitted"),
        ("social-care-needs", "withheld", "permitted"),
    ]
    assert change.wider


def test_a_dry_run_shows_deny_to_permit_under_a_widened_version(sharing_db: Database) -> None:
    asked = disclosures.ask(
        sharing_db,
        staff(SOCIAL_WORKER),
        care_request(items=[], categories=["identity"], transfer_method="post"),
        now=NOW,
    )
    assert asked.decision.outcome == "deny"
    reference = asked.decision.isa_reference
    assert reference is not None
    same = _candidate(sharing_db, reference, "no-such-category")
    assert what_if(sharing_db, reference, same, requester=CONSOLE, now=LATER).changes == []
    widened = _candidate(sharing_db, reference, "no-such-category", post=True)

    result = what_if(sharing_db, reference, widened, requester=CONSOLE, now=LATER)
    assert result.replayed == 1
    [change] = result.changes
    assert (change.source, change.source_id) == ("decision-request", asked.decision_request_id)
    assert (change.before_outcome, change.after_outcome) == ("deny", "permit")
    assert change.categories_asked == ["identity"]


def test_a_refusal_under_no_agreement_is_replayed_by_a_candidate_of_both_parties(
    sharing_db: Database,
) -> None:
    # No agreement gives LCC's staff a role of this name: the request is decided under none.
    refused = disclosures.disclose(
        sharing_db, staff(SOCIAL_WORKER), care_request(recipient_role="no-such-role"), now=NOW
    )
    assert (refused.decision.outcome, refused.decision.isa_reference) == ("deny", None)
    shared = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    reference = shared.decision.isa_reference
    assert reference is not None
    version = _candidate(sharing_db, reference, "no-such-category")
    result = what_if(sharing_db, reference, version, requester=CONSOLE, now=LATER)
    assert result.replayed == 2
    assert result.changes == []
