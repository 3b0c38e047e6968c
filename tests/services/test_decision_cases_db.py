"""The decision cases (tests/cases/decisions) through the workflow: the same decisions when
the staff, adoption, agreements and the person's consents come from the database and the
question goes through ``disclosures.ask`` (what ``POST /api/v1/decisions`` calls), on SQLite
and PostgreSQL (47 of the 74 cases).

The world holds the shared policy's staff (as ``<id>@cases.example``), its adoption dates and
the demo's agreements (the same example files, taken through their lifecycle). Each case gets
its own service user with the case's consents recorded through the consent service, and is
asked at the case's moment. Cases the database cannot yet hold are left to the pure tests:
inline agreements, other staff or options, objections, restrictions and confidential items
(not stored yet), approvals (they come from referrals) and onward use (it cites a stored
disclosure). Two cases the shell refuses before deciding: a statutory claim without a
justification and an emergency without its reason are 422s, not denials.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from infoshare.policy.access import Actor, Permission
from infoshare.services import adoption, disclosures
from infoshare.services.access_log import CONSOLE, Requester, RequesterKind
from infoshare.services.consent import (
    ConsentDraft,
    WithdrawalDraft,
    record_consent,
    withdraw_consent,
)
from infoshare.services.database import Database, open_database
from infoshare.services.demo_agreements import add_demo_agreements
from infoshare.services.service_users import register_service_user
from infoshare.services.setup import initialise
from infoshare.services.staff import create_staff
from infoshare.store.models import StaffRecord
from tests.policy.decision_cases import CASE_FILES, POLICIES, case_document, mismatches
from tests.support.databases import DatabaseTemplates

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
TEMPLATE = "leeds-2002-cases"
POLICY = json.loads((POLICIES / "leeds.json").read_text(encoding="utf-8"))
SHELL_REFUSES = {"38-statutory-without-justification", "57-emergency-without-reason"}
#: cases whose facts the database cannot hold: a consent naming an organisation that does
#: not exist (the consent service refuses to record it), and facts of another person
#: (stored facts are always the person's own)
NOT_STORABLE = {"11-unknown-organisation", "74-malformed-facts-of-another-person"}


def email(staff_id: str) -> str:
    return f"{staff_id}@cases.example"


def _held(path: Path) -> bool:
    case = json.loads(path.read_text(encoding="utf-8"))
    facts, request = case["facts"], case["request"]
    return (
        case.get("policy") == "leeds"
        and not any(k in case for k in ("agreements", "staff", "adopted_on", "options"))
        and not any(facts.get(k) for k in ("objections", "restrictions", "confidential"))
        and not facts.get("assessments")
        and not request.get("approval")
        and not request.get("derived_from")
    )


CASES = [p for p in CASE_FILES if _held(p) and p.stem not in NOT_STORABLE]


def build_cases_world(url: str) -> None:
    initialise(url, "leeds-2002", now=NOW)
    db = open_database(url)
    try:
        for code, on in POLICY["adopted_on"].items():
            adoption.record_adoption(
                db.unit_of_work(), code, approved_on=date.fromisoformat(on),
                approving_body="Board", requester=CONSOLE,
            )  # fmt: skip
        for member in POLICY["staff"]:
            trained = member.get("trained_on")
            create_staff(
                db.unit_of_work(), organisation_code=member["organisation"],
                name=member["id"], email=email(member["id"]), job_title="Case",
                roles=member.get("roles", []),
                training_completed_on=date.fromisoformat(trained) if trained else None, now=NOW,
            )  # fmt: skip
            if member.get("active") is False:
                with db.unit_of_work() as uow:
                    uow.session.execute(
                        update(StaffRecord)
                        .where(StaffRecord.email == email(member["id"]))
                        .values(active=False)
                    )
                    uow.commit()
        add_demo_agreements(db, now=NOW)
    finally:
        db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def cases_db(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[Database]:
    for url in database_templates.copy(request, request.param, TEMPLATE, build_cases_world):
        db = open_database(url)
        try:
            yield db
        finally:
            db.dispose()


def nhs_number(index: int) -> str:
    stem = 500000000 + index * 7
    while True:
        digits = str(stem)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check != 10:
            return digits + str(0 if check == 11 else check)
        stem += 1


def _consent(number: str, doc: dict[str, Any], organisation: str) -> ConsentDraft:
    explained = doc.get("explained") or {}
    values: dict[str, Any] = {
        "nhs_number": number,
        "decision": doc.get("decision", "given"),
        "decided_by": doc.get("decided_by", "service-user"),
        "obtained_by": doc.get("obtained_by", "Case worker"),
        "obtained_by_organisation": (
            doc.get("obtained_by_organisation")
            if doc.get("obtained_by_organisation") not in (None, "unrecorded")
            else organisation
        ),
        "obtained_at": doc["obtained_at"],
        "method": doc.get("method", "verbal-recorded"),
        "form_version": doc.get("form_version"),
        "explained_purposes": explained.get("purposes", doc["purposes"]),
        "explained_data_categories": explained.get("categories", doc["categories"]),
        "explained_recipients": explained.get(
            "recipients", doc.get("recipients", []) + doc.get("isas", [])
        ),
        "leaflet_given": True,
        "purposes": doc["purposes"],
        "data_categories": doc["categories"],
        "recipients": doc.get("recipients", []),
        "recipient_agreements": doc.get("isas", []),
        "valid_from": doc.get("valid_from"),
        "valid_until": doc.get("valid_until"),
        "exclusions": [
            {
                "recipients": e.get("recipients", []),
                "purposes": e.get("purposes", []),
                "data_categories": e.get("categories", []),
                "note": e.get("note") or None,
            }
            for e in doc.get("exclusions", [])
        ],
    }
    representative = doc.get("representative")
    if representative:
        values |= {
            "representative_name": representative["name"],
            "representative_relationship": representative["relationship"],
            "representative_authority": representative["authority"],
            "representative_authority_reference": representative.get("authority_reference"),
        }
    if doc.get("best_interests_reasons"):
        values["best_interests_reasons"] = doc["best_interests_reasons"]
    return ConsentDraft.model_validate(values)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_decides_the_same_through_the_workflow(cases_db: Database, path: Path) -> None:
    document = case_document(path)
    facts, request, expect = document["facts"], document["request"], document["expect"]
    number = nhs_number(CASE_FILES.index(path))
    dob = facts.get("date_of_birth")
    register_service_user(
        cases_db.unit_of_work(), nhs_number=number, given_name="Case",
        family_name=path.stem, date_of_birth=date.fromisoformat(dob) if dob else None, now=NOW,
    )  # fmt: skip
    stored: dict[str, uuid.UUID] = {}
    for doc in facts.get("consents", []):
        draft = _consent(number, doc, request["provider"])
        if doc.get("supersedes"):
            draft = draft.model_copy(update={"supersedes": stored[doc["supersedes"]]})
        view = record_consent(cases_db.unit_of_work(), draft, now=NOW)
        stored[doc["id"]] = view.id
        if doc.get("withdrawn_at"):
            withdraw_consent(
                cases_db.unit_of_work(),
                view.id,
                WithdrawalDraft(
                    at=doc["withdrawn_at"], method="verbal-recorded", recorded_by="Case worker",
                    recorded_by_organisation=request["provider"],
                ),
                now=NOW,
            )  # fmt: skip
    known = {m["id"]: m for m in POLICY["staff"]}
    organisation = known.get(request["requester"], {}).get("organisation", request["provider"])
    caller = Requester(
        RequesterKind.API_TOKEN,
        "cases",
        "local",
        Actor(organisation, token_permissions=frozenset({Permission.DISCLOSURES_MAKE})),
    )
    values = {
        "requester": email(request["requester"]),
        "provider": request["provider"],
        "recipient": request["recipient"],
        "recipient_role": request.get("recipient_role"),
        "nhs_number": number,
        "purpose": request["purpose"],
        "categories": request["categories"],
        "transfer_method": request["transfer_method"],
        "basis": request.get("basis", {}),
        "isa": request.get("isa"),
    }
    if path.stem in SHELL_REFUSES:
        with pytest.raises(ValidationError):
            disclosures.RequestDraft.model_validate(values)
        return
    at = datetime.fromisoformat(request["at"])
    done = disclosures.ask(
        cases_db, caller, disclosures.RequestDraft.model_validate(values), now=at
    )
    assert mismatches(done.decision, expect) == []
