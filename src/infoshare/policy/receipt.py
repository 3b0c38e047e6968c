"""The consent receipt: the service user's own copy of what they decided (Principle 5, A3).

When consent is given, refused or withdrawn, the service user (or their representative) gets
a receipt saying what was decided, about what, with whom, for how long, and how to change
their mind. Principle 12 asks that people be fully informed about what is recorded about
them; the receipt is that, for consent.

Its structure follows ISO/IEC TS 27560:2023 (consent record information structure) as far
as public descriptions of it go: a header (schema version, receipt and record ids, issue
time, jurisdiction, language), the PII principal (a pseudonymous reference, never the NHS
number), the PII controller(s), the notice given, the processing consented to (purpose,
PII categories, recipients, legal basis), the validity, the state and the events that led
to it. ``docs/consent.md`` maps each field and says what was assumed. The receipt is plain
data, ready for JSON; this module reads no clock, so the issue time is an argument.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from infoshare.domain.consent import Consent, ConsentFacts, Representative
from infoshare.domain.moments import utc_moment
from infoshare.errors import ConsentRecordError
from infoshare.policy.consent import ConsentStatus, status_at

#: the receipt format this module writes; bump it when a field changes meaning
RECEIPT_SCHEMA: Final = "infoshare-consent-receipt/1"
CONFORMS_TO: Final = "ISO/IEC TS 27560:2023"

#: the receipt's state for each status: a consent not yet in effect was still given
_STATE: Final = MappingProxyType(
    {
        ConsentStatus.ACTIVE: "given",
        ConsentStatus.NOT_YET_VALID: "given",
        ConsentStatus.REFUSED: "refused",
        ConsentStatus.WITHDRAWN: "withdrawn",
        ConsentStatus.EXPIRED: "expired",
        ConsentStatus.SUPERSEDED: "superseded",
    }
)


@dataclass(frozen=True, slots=True)
class ReceiptContext:
    """What a receipt needs besides the consent: its id, when, and the names to show."""

    receipt_id: str
    issued_at: datetime
    #: the protocol pack the consent was recorded under, e.g. ``leeds-2002``
    protocol: str
    jurisdiction: str = "GB-ENG"
    language: str = "en"
    #: the pseudonymous reference to show; the consent's subject id when not given
    pii_principal_id: str | None = None
    organisation_names: Mapping[str, str] = field(default_factory=dict)
    purpose_titles: Mapping[str, str] = field(default_factory=dict)
    category_titles: Mapping[str, str] = field(default_factory=dict)
    #: categories the pack marks sensitive (DPA 1998 s.2; UK GDPR Art. 9)
    sensitive_categories: frozenset[str] = frozenset()
    #: the provisions that make consent a lawful basis, e.g. ``DPA 1998 Sch. 2 para 1``
    legal_basis_citations: tuple[str, ...] = ()
    #: how to withdraw or complain, in words the service user can act on
    how_to_withdraw: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "issued_at", utc_moment(self.issued_at, field="issued_at"))
        if not self.receipt_id.strip():
            raise ConsentRecordError(
                "a receipt needs `receipt_id`; it was empty", field="receipt_id"
            )


def consent_receipt(
    consent: Consent, context: ReceiptContext, *, facts: ConsentFacts | None = None
) -> dict[str, Any]:
    """The receipt for ``consent`` as it stands at ``context.issued_at``.

    ``facts`` (the service user's other consents) lets the receipt show a consent as
    superseded; without them only the consent's own record is used.
    """
    issued_at = context.issued_at
    if issued_at < consent.obtained_at:
        raise ConsentRecordError(
            f"the receipt is dated `{issued_at.isoformat()}`, before the consent was obtained "
            f"(`{consent.obtained_at.isoformat()}`); issue it on or after that",
            field="issued_at",
        )
    known = facts or ConsentFacts(consent.subject_id, None, (consent,))
    scope = consent.scope
    explained = consent.explanation
    return {
        "schema_version": RECEIPT_SCHEMA,
        "conforms_to": CONFORMS_TO,
        "receipt_id": context.receipt_id,
        "record_id": consent.id,
        "receipt_issued_at": _moment(issued_at),
        "jurisdiction": context.jurisdiction,
        "language": context.language,
        "protocol": context.protocol,
        "pii_principal_id": context.pii_principal_id or consent.subject_id,
        "pii_controllers": [_organisation(consent.obtained_by_organisation, context)],
        "decision": str(consent.decision),
        "consent_status": _STATE[status_at(consent, known, issued_at)],
        "decided_by": {
            "kind": str(consent.decided_by),
            "representative": _representative(consent.representative),
            "best_interests_reasons": consent.best_interests_reasons,
        },
        "collection": {
            "method": str(consent.method),
            "obtained_at": _moment(consent.obtained_at),
            "obtained_by": consent.obtained_by,
            "organisation": _organisation(consent.obtained_by_organisation, context),
        },
        "notice": {
            "consent_form_version": consent.form_version,
            "leaflet_given": explained.leaflet_given,
            "leaflet_version": explained.leaflet_version,
            "explained": {
                "purposes": sorted(explained.purposes),
                "pii_categories": sorted(explained.data_categories),
                "recipients": sorted(explained.recipients),
            },
        },
        "processing": [
            {
                "purpose_id": purpose,
                "purpose": context.purpose_titles.get(purpose, purpose),
                "legal_basis": {
                    "basis": "consent",
                    "citations": list(context.legal_basis_citations),
                },
                "pii_categories": [
                    {
                        "id": category,
                        "title": context.category_titles.get(category, category),
                        "sensitive": category in context.sensitive_categories,
                    }
                    for category in sorted(scope.data_categories)
                ],
                "recipients": [_organisation(code, context) for code in sorted(scope.recipients)],
                "recipient_agreements": sorted(scope.recipient_isas),
            }
            for purpose in sorted(scope.purposes)
        ],
        "exclusions": [
            {
                "recipients": sorted(e.recipients),
                "pii_categories": sorted(e.data_categories),
                "purposes": sorted(e.purposes),
                "note": e.note,
            }
            for e in consent.exclusions
        ],
        "validity": {
            "valid_from": _moment(consent.starts_at),
            "valid_until": None if consent.valid_until is None else _moment(consent.valid_until),
            "review_date": None if consent.review_date is None else consent.review_date.isoformat(),
        },
        "supersedes": consent.supersedes,
        "events": _events(consent, issued_at),
        "how_to_withdraw": context.how_to_withdraw,
    }


def receipt_json(receipt: Mapping[str, Any]) -> str:
    """The receipt as JSON text: keys sorted, UTF-8 characters kept, one line."""
    return json.dumps(receipt, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _events(consent: Consent, issued_at: datetime) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {
            "event_type": str(consent.decision),
            "event_time": _moment(consent.obtained_at),
            "event_by": str(consent.decided_by),
            "method": str(consent.method),
        }
    ]
    withdrawal = consent.withdrawal
    if withdrawal is not None and withdrawal.at <= issued_at:
        events.append(
            {
                "event_type": "withdrawn",
                "event_time": _moment(withdrawal.at),
                "event_by": str(withdrawal.by),
                "method": str(withdrawal.method),
                "reason": withdrawal.reason,
            }
        )
    return events


def _organisation(code: str, context: ReceiptContext) -> dict[str, str]:
    return {"code": code, "name": context.organisation_names.get(code, code)}


def _representative(representative: Representative | None) -> dict[str, Any] | None:
    if representative is None:
        return None
    return {
        "name": representative.name,
        "relationship": representative.relationship,
        "authority": str(representative.authority),
        "authority_reference": representative.authority_reference,
    }


def _moment(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
