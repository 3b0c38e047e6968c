"""Ledger disclosures as FHIR R4 AuditEvents (IHE BALP Privacy Disclosure), checked by R4B."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fhir.resources.R4B.auditevent import AuditEvent

from infoshare.errors import InputError
from infoshare.ledger.events import EventKind, Outcome
from infoshare.services.fhir_audit import BALP_PROFILE, audit_event
from infoshare.services.ledger import EntryView
from tests.store.ledger_events import event


def _view(**changes: object) -> EntryView:
    draft = replace(event(4), **changes)  # type: ignore[arg-type]
    return EntryView(draft.numbered(41), b"\x01" * 32, "disclosure", "d-41", draft.counterparty)


def test_a_disclosure_is_a_privacy_disclosure_at_source() -> None:
    resource = audit_event(_view(counterparty="LCC"))
    parsed = AuditEvent.model_validate(resource)
    assert parsed.meta is not None
    assert resource["meta"]["profile"] == [BALP_PROFILE]
    assert (resource["type"]["system"], resource["type"]["code"]) == (
        "http://dicom.nema.org/resources/ontology/DCM",
        "110106",
    )
    assert resource["subtype"][0]["code"] == "disclose"
    source, recipient, staff = resource["agent"]
    assert source["who"]["identifier"]["value"] == "LTHT"
    assert recipient["who"]["identifier"]["value"] == "LCC"
    assert staff["who"]["identifier"]["value"] == "staff-4"
    assert staff["requestor"] is True
    patient, data = resource["entity"]
    assert patient["role"]["code"] == "1"
    assert patient["what"]["identifier"]["value"] == "subject-4"
    assert data["what"]["identifier"]["value"] == "41"
    assert data["detail"][0] == {"type": "record-digest", "valueString": event(4).record_digest}
    assert resource["purposeOfEvent"][0]["coding"][0]["code"] == "care"
    assert resource["outcome"] == "0"
    assert resource["recorded"] == "2026-11-25T09:00:04.000000Z"


def test_a_refused_disclosure_stays_a_failure_with_its_reason() -> None:
    resource = audit_event(_view(outcome=Outcome.FAILURE, reason="no-legal-ground"))
    assert resource["outcome"] == "4"
    assert resource["outcomeDesc"] == "no-legal-ground"


def test_a_disclosure_without_a_recorded_recipient_still_names_the_role() -> None:
    resource = audit_event(_view(subject=None, purpose=None))
    assert resource["agent"][1]["type"]["coding"][0]["code"] == "110152"
    assert "identifier" not in resource["agent"][1]["who"]
    assert [e["type"]["code"] for e in resource["entity"]] == ["2"]
    assert "purposeOfEvent" not in resource


def test_only_disclosures_are_audit_events_of_this_profile() -> None:
    with pytest.raises(InputError, match="`consent:given` event"):
        audit_event(_view(kind=EventKind.CONSENT_GIVEN))
