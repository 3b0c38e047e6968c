"""Disclosures in the ledger as FHIR R4 ``AuditEvent`` resources (IHE BALP "Privacy Disclosure").

Principle 6 (decisions to share recorded for audit), Principle 12 (a person may learn what
was disclosed about them), Section 4.3 (monitoring). Each ``disclosure:made`` entry becomes
an AuditEvent following the IHE Basic Audit Log Patterns profile *Audit Event for Privacy
Disclosure at Source*: type DICOM 110106 "Export", subtype ISO 21089 "disclose", a source
agent (the disclosing organisation), a recipient agent (the receiving organisation), the
staff member who asked, a patient entity (the pseudonymous subject) and a data entity (the
ledger entry, with the record digest and entry hash, so the event can be proved with an
inclusion proof). Resources are validated with the ``fhir.resources`` R4B models, whose
AuditEvent is R4's. See docs/fhir.md.
"""

from __future__ import annotations

import base64
from typing import Any, Final

from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle

from infoshare.errors import InputError, NotFoundError
from infoshare.ledger.canonical import format_time
from infoshare.ledger.events import EventKind, Outcome
from infoshare.services import ledger
from infoshare.services.access_log import Requester
from infoshare.services.ledger import EntryView
from infoshare.store.unit_of_work import UnitOfWork

BALP_PROFILE: Final = (
    "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PrivacyDisclosure.Source"
)
DCM: Final = "http://dicom.nema.org/resources/ontology/DCM"
LIFECYCLE: Final = "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle"
ENTITY_TYPE: Final = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE: Final = "http://terminology.hl7.org/CodeSystem/object-role"
SOURCE_TYPE: Final = "http://terminology.hl7.org/CodeSystem/security-source-type"
PARTICIPATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
#: infoshare's own identifier systems: organisation codes, staff ids, subjects, entries
ORGANISATION_SYSTEM: Final = "https://infoshare.example/fhir/sid/organisation-code"
STAFF_SYSTEM: Final = "https://infoshare.example/fhir/sid/staff"
SUBJECT_SYSTEM: Final = "https://infoshare.example/fhir/sid/subject"
ENTRY_SYSTEM: Final = "https://infoshare.example/fhir/sid/ledger-entry"
PURPOSE_SYSTEM: Final = "https://infoshare.example/fhir/CodeSystem/purpose"
#: FHIR R4 AuditEvent.outcome: 0 success, 4 minor failure (the request was refused)
OUTCOMES: Final = {Outcome.SUCCESS: "0", Outcome.FAILURE: "4"}
#: the most AuditEvents one search returns
MAX_COUNT: Final = 1000


def _organisation(code: str) -> dict[str, Any]:
    return {"identifier": {"system": ORGANISATION_SYSTEM, "value": code}}


def audit_event(view: EntryView) -> dict[str, Any]:
    """The AuditEvent of one ``disclosure:made`` entry, validated; InputError for other kinds."""
    entry = view.entry
    if entry.kind is not EventKind.DISCLOSURE_MADE:
        raise InputError(
            f"entry {entry.sequence} is a `{entry.kind.value}` event; only `disclosure:made` "
            "entries are Privacy Disclosure audit events",
            field="sequence",
        )
    recipient: dict[str, Any] = (
        _organisation(view.counterparty)
        if view.counterparty is not None
        else {"display": "the recipient is in the disclosure record, not in the ledger entry"}
    )
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": f"ledger-{entry.sequence}",
        "meta": {"profile": [BALP_PROFILE]},
        "type": {"system": DCM, "code": "110106", "display": "Export"},
        "subtype": [
            {"system": LIFECYCLE, "code": "disclose", "display": "Disclose Record Lifecycle Event"}
        ],
        "action": "R",
        "recorded": format_time(entry.time),
        "outcome": OUTCOMES[entry.outcome],
        "agent": [
            {
                "type": {
                    "coding": [{"system": DCM, "code": "110153", "display": "Source Role ID"}]
                },
                "who": _organisation(entry.actor_organisation),
                "requestor": False,
            },
            {
                "type": {
                    "coding": [{"system": DCM, "code": "110152", "display": "Destination Role ID"}]
                },
                "who": recipient,
                "requestor": False,
            },
            {
                "type": {"coding": [{"system": PARTICIPATION, "code": "IRCP"}]},
                "who": {"identifier": {"system": STAFF_SYSTEM, "value": entry.actor_staff}},
                "requestor": True,
            },
        ],
        "source": {
            "observer": {"display": "infoshare ledger"},
            "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}],
        },
        "entity": [
            {
                "what": {"identifier": {"system": ENTRY_SYSTEM, "value": str(entry.sequence)}},
                "type": {"system": ENTITY_TYPE, "code": "2", "display": "System Object"},
                "detail": [
                    {"type": "record-digest", "valueString": entry.record_digest},
                    {
                        "type": "entry-hash",
                        "valueBase64Binary": base64.b64encode(view.entry_hash).decode("ascii"),
                    },
                ],
            }
        ],
    }
    if entry.outcome is Outcome.FAILURE and entry.reason is not None:
        resource["outcomeDesc"] = entry.reason
    if entry.purpose is not None:
        resource["purposeOfEvent"] = [
            {"coding": [{"system": PURPOSE_SYSTEM, "code": entry.purpose}]}
        ]
    if entry.subject is not None:
        resource["entity"].insert(
            0,
            {
                "what": {"identifier": {"system": SUBJECT_SYSTEM, "value": entry.subject}},
                "type": {"system": ENTITY_TYPE, "code": "1", "display": "Person"},
                "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
            },
        )
    AuditEvent.model_validate(resource)
    return resource


def disclosure_audit_events(
    uow: UnitOfWork, requester: Requester, *, patient: str | None = None, count: int = 100
) -> dict[str, Any]:
    """The newest ``count`` disclosures (about ``patient`` if given) as a searchset Bundle."""
    ledger.require_reader(requester)
    if not 1 <= count <= MAX_COUNT:
        raise InputError(
            f"`_count={count}` is out of range; ask for 1 to {MAX_COUNT}", field="_count"
        )
    views = ledger.entries(uow, tail=count, kind=EventKind.DISCLOSURE_MADE.value, subject=patient)
    resources = [audit_event(view) for view in views]
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"urn:infoshare:ledger:{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
    Bundle.model_validate(bundle)
    return bundle


def disclosure_audit_event(
    uow: UnitOfWork, requester: Requester, resource_id: str
) -> dict[str, Any]:
    """One disclosure's AuditEvent by its id, ``ledger-<sequence>``; NotFoundError otherwise."""
    ledger.require_reader(requester)
    number = resource_id.removeprefix("ledger-")
    if not resource_id.startswith("ledger-") or not number.isdigit():
        raise NotFoundError(
            f"there is no AuditEvent `{resource_id}`; ids are `ledger-<sequence number>`",
            field="id",
        )
    found = ledger.entry(uow, int(number))
    if found is None or found.entry.kind is not EventKind.DISCLOSURE_MADE:
        raise NotFoundError(
            f"there is no disclosure AuditEvent `{resource_id}`; entry {number} is not a "
            "recorded disclosure",
            field="id",
        )
    return audit_event(found)
