"""The consent receipt: the service user's copy, for a consent given, refused or withdrawn."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from infoshare.domain.consent import AuthorityKind, DecidedBy, Exclusion, Representative
from infoshare.errors import ConsentRecordError, NaiveDatetimeError
from infoshare.policy.receipt import (
    CONFORMS_TO,
    RECEIPT_SCHEMA,
    ReceiptContext,
    consent_receipt,
    receipt_json,
)
from tests.policy.builders import DAY, SUBJECT, T0, consent, facts, refusal, withdrawal

CONTEXT = ReceiptContext(
    receipt_id="rcpt-0001",
    issued_at=T0 + 2 * DAY,
    protocol="leeds-2002",
    organisation_names={"LTHT": "Leeds Teaching Hospitals Trust", "LCC": "Leeds City Council"},
    purpose_titles={"care": "Improving the health and social care of people"},
    category_titles={"mental-health": "Mental health"},
    sensitive_categories=frozenset({"mental-health", "physical-health"}),
    legal_basis_citations=("DPA 1998 Sch. 2 para 1", "DPA 1998 Sch. 3 para 1"),
    how_to_withdraw="tell any member of staff, or write to the Caldicott Guardian",
)


def test_a_receipt_for_a_consent_given() -> None:
    receipt = consent_receipt(consent("c1"), CONTEXT)
    assert receipt["schema_version"] == RECEIPT_SCHEMA
    assert receipt["conforms_to"] == CONFORMS_TO
    assert receipt["receipt_id"] == "rcpt-0001"
    assert receipt["record_id"] == "c1"
    assert receipt["receipt_issued_at"] == "2002-10-03T09:30:00Z"
    assert receipt["pii_principal_id"] == SUBJECT
    assert receipt["pii_controllers"] == [
        {"code": "LTHT", "name": "Leeds Teaching Hospitals Trust"}
    ]
    assert receipt["decision"] == "given"
    assert receipt["consent_status"] == "given"
    assert [e["event_type"] for e in receipt["events"]] == ["given"]
    (processing,) = receipt["processing"]
    assert processing["purpose"] == "Improving the health and social care of people"
    assert processing["legal_basis"] == {
        "basis": "consent",
        "citations": ["DPA 1998 Sch. 2 para 1", "DPA 1998 Sch. 3 para 1"],
    }
    assert processing["pii_categories"][0] == {
        "id": "mental-health",
        "title": "Mental health",
        "sensitive": True,
    }
    assert [r["name"] for r in processing["recipients"]] == [
        "Leeds City Council",
        "Leeds Teaching Hospitals Trust",
    ]
    assert receipt["notice"]["leaflet_given"] is True
    assert receipt["how_to_withdraw"].startswith("tell any member of staff")


def test_a_receipt_for_a_withdrawal_shows_the_withdrawal() -> None:
    withdrawn = consent(withdrawal=withdrawal(T0 + DAY, reason="changed my mind"))
    receipt = consent_receipt(withdrawn, CONTEXT)
    assert receipt["consent_status"] == "withdrawn"
    assert receipt["events"][-1] == {
        "event_type": "withdrawn",
        "event_time": "2002-10-02T09:30:00Z",
        "event_by": "service-user",
        "method": "verbal-recorded",
        "reason": "changed my mind",
    }


def test_a_receipt_issued_before_the_withdrawal_shows_the_consent_as_it_was() -> None:
    withdrawn = consent(withdrawal=withdrawal(T0 + 5 * DAY))
    receipt = consent_receipt(withdrawn, CONTEXT)
    assert receipt["consent_status"] == "given"
    assert [e["event_type"] for e in receipt["events"]] == ["given"]


def test_a_receipt_for_a_refusal() -> None:
    receipt = consent_receipt(refusal("r1"), CONTEXT)
    assert receipt["decision"] == "refused"
    assert receipt["consent_status"] == "refused"
    assert receipt["events"][0]["event_type"] == "refused"


def test_a_receipt_shows_a_consent_superseded_by_a_newer_one() -> None:
    old, new = consent("old"), consent("new", obtained_at=T0 + DAY, supersedes="old")
    assert consent_receipt(old, CONTEXT, facts=facts(old, new))["consent_status"] == "superseded"
    assert consent_receipt(new, CONTEXT, facts=facts(old, new))["supersedes"] == "old"


def test_a_receipt_shows_an_expired_consent_and_its_validity() -> None:
    limited = consent(valid_until=T0 + DAY)
    receipt = consent_receipt(limited, CONTEXT)
    assert receipt["consent_status"] == "expired"
    assert receipt["validity"]["valid_until"] == "2002-10-02T09:30:00Z"


def test_a_receipt_names_the_representative_and_their_authority() -> None:
    mother = Representative("Cath Example", "mother", AuthorityKind.PARENTAL_RESPONSIBILITY)
    receipt = consent_receipt(
        consent(decided_by=DecidedBy.REPRESENTATIVE, representative=mother), CONTEXT
    )
    assert receipt["decided_by"]["kind"] == "representative"
    assert receipt["decided_by"]["representative"]["authority"] == "parental-responsibility"


def test_a_receipt_lists_the_limits_the_person_set() -> None:
    never_police = Exclusion(recipients=frozenset({"WYP"}), note="never to the police")
    receipt = consent_receipt(consent(exclusions=[never_police]), CONTEXT)
    assert receipt["exclusions"] == [
        {"recipients": ["WYP"], "pii_categories": [], "purposes": [], "note": "never to the police"}
    ]


def test_a_receipt_shows_the_pseudonymous_reference_it_is_given() -> None:
    context = ReceiptContext("rcpt-2", T0 + DAY, "leeds-2002", pii_principal_id="ref-XYZ")
    assert consent_receipt(consent(), context)["pii_principal_id"] == "ref-XYZ"


def test_receipt_json_is_deterministic_and_round_trips() -> None:
    receipt = consent_receipt(
        consent(exclusions=[Exclusion(note="“no” to WYP", recipients=frozenset({"WYP"}))]), CONTEXT
    )
    text = receipt_json(receipt)
    assert json.loads(text) == receipt
    assert text == receipt_json(dict(reversed(list(receipt.items()))))
    assert "“no”" in text


def test_a_receipt_cannot_predate_the_consent() -> None:
    early = ReceiptContext("rcpt-3", T0 - DAY, "leeds-2002")
    with pytest.raises(ConsentRecordError, match="before the consent was obtained"):
        consent_receipt(consent(), early)


def test_a_receipt_needs_an_id_and_an_aware_moment() -> None:
    with pytest.raises(ConsentRecordError, match="`receipt_id`"):
        ReceiptContext(" ", T0, "leeds-2002")
    with pytest.raises(NaiveDatetimeError):
        ReceiptContext("rcpt-4", datetime(2002, 10, 1), "leeds-2002")
