"""Consent drafts for service, API, web and CLI tests: a valid one, changed as a test needs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from infoshare.services.consent import CapacityDraft, ConsentDraft, WithdrawalDraft
from infoshare.services.database import Database
from infoshare.services.service_users import register_service_user

ADULT = "9434765919"
CHILD = "9990000018"
OBTAINED = datetime(2025, 11, 3, 10, 0, tzinfo=UTC)
LATER = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def register_people(db: Database, *, now: datetime) -> None:
    register_service_user(
        db.unit_of_work(), nhs_number=ADULT, given_name="Jessica", family_name="Hughes",
        date_of_birth=date(1961, 4, 12), now=now,
    )  # fmt: skip
    register_service_user(
        db.unit_of_work(), nhs_number=CHILD, given_name="Tom", family_name="Hughes",
        date_of_birth=date(2013, 2, 1), now=now,
    )  # fmt: skip


def consent_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "nhs_number": ADULT,
        "decision": "given",
        "obtained_by": "Sam Okafor",
        "obtained_by_organisation": "LTHT",
        "obtained_at": OBTAINED.isoformat(),
        "method": "signed-form",
        "form_version": "App4-2002-v1",
        "explained_purposes": ["care"],
        "explained_data_categories": ["physical-health", "mental-health"],
        "explained_recipients": ["LCC", "LMHST"],
        "leaflet_given": True,
        "leaflet_version": "L-2002-1",
        "purposes": ["care"],
        "data_categories": ["physical-health", "mental-health"],
        "recipients": ["LCC", "LMHST"],
        "review_date": "2026-11-03",
    }
    values.update(changes)
    return values


def consent_draft(**changes: Any) -> ConsentDraft:
    return ConsentDraft.model_validate(consent_values(**changes))


def withdrawal_draft(**changes: Any) -> WithdrawalDraft:
    values: dict[str, Any] = {
        "at": LATER.isoformat(),
        "method": "verbal-recorded",
        "recorded_by": "Sam Okafor",
        "recorded_by_organisation": "LTHT",
        "reason": "changed her mind",
    }
    values.update(changes)
    return WithdrawalDraft.model_validate(values)


def capacity_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "nhs_number": CHILD,
        "purposes": ["care"],
        "data_categories": ["physical-health"],
        "kind": "competence",
        "outcome": "has-capacity",
        "assessed_by": "Dr Amy Reid",
        "assessed_by_organisation": "LTHT",
        "assessed_at": OBTAINED.isoformat(),
        "reasons": "understands what would be shared and why, and can weigh it",
        "review_date": "2026-05-01",
    }
    values.update(changes)
    return values


def capacity_draft(**changes: Any) -> CapacityDraft:
    return CapacityDraft.model_validate(capacity_values(**changes))
