"""Every decision case (tests/cases/decisions) over HTTP, on SQLite and PostgreSQL: the
world the case describes is built in a real database (staff, adoption, agreements, the
person, their consents, objections and restrictions), the app runs at the case's moment, and
``POST /api/v1/decisions`` (the dry run) and ``POST /api/v1/disclosures`` must answer with the
outcome, categories, reason codes, conditions and basis the case file expects.

A case with an approval is referred, then approved over ``/api/v1/referrals/{id}/approve``;
a case of onward use cites a disclosure the world holds. A case the HTTP shell cannot express
is skipped with the reason why; a case the shell refuses before deciding (a 422, or a 403 for
an approval the officer may not give) asserts exactly that refusal.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from infoshare.api.app import create_app
from infoshare.services import clock
from infoshare.services.access_log import CONSOLE
from infoshare.services.api_tokens import issue_api_token
from infoshare.services.consent import WithdrawalDraft, record_consent, withdraw_consent
from infoshare.services.database import Database, open_database
from infoshare.services.organisations import list_organisations
from infoshare.services.service_users import register_service_user
from infoshare.settings import Environment, load_settings
from infoshare.store.models import DisclosureRecord, OrganisationRecord, ServiceUserRecord
from tests.policy.decision_cases import CASE_FILES, case_document
from tests.services.test_decision_cases_db import _consent, nhs_number
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.sharing_world import (
    CASES_AT,
    CASES_POLICY,
    add_case_agreements,
    add_case_staff,
    case_email,
    cases_world,
    record_case_limits,
)

#: cases the shell refuses before anything is decided: a 422 naming the field
SHELL_REFUSES = {
    "38-statutory-without-justification": "basis.justification",
    "57-emergency-without-reason": "basis.emergency_reason",
}
#: cases that cannot be put to the HTTP API, and why
NOT_OVER_HTTP = {
    "06-training-never-lapses-when-configured": (
        "training validity is not a setting of the shell: services/policy_cache.py compiles "
        "the policy with the core's three years (PolicyOptions.training_valid_for)"
    ),
    "62-confidential-from-subject-marked": (
        "items kept confidential from the person are not stored facts: over HTTP they ride "
        "on the disclosure's items, which mark them but do not feed decide()'s facts"
    ),
    "63-confidential-without-ground": (
        "items kept confidential from the person are not stored facts: over HTTP an item "
        "marked confidential must carry a ground (422), and marks do not feed decide()"
    ),
    "71-transfer-safeguards-of-agreement": (
        "the case's agreement lets `post` go with two safeguards; the services refuse to put "
        "such an agreement in force (ISA032: post needs recorded delivery, a return address "
        "and confirmation of receipt), so no stored world holds it"
    ),
    "74-malformed-facts-of-another-person": (
        "the facts the API decides on are read from the database by the person asked about, "
        "so they cannot be another person's"
    ),
}


#: approvals the API cannot carry: it builds an approval from the referral itself
APPROVAL_NOT_OVER_HTTP = {
    "49-approval-missing-category": (
        "an approval over HTTP (POST /api/v1/referrals/{id}/approve) names every category "
        "referred; one that leaves a category out cannot be given"
    ),
    "51-approval-other-subject": (
        "an approval over HTTP is built from the referral, so it always names the referral's "
        "own subject"
    ),
}
#: approvals the API refuses before deciding (403): the officer may not approve this
APPROVAL_REFUSED = {
    "46-self-approval",
    "47-approval-not-designated-officer",
    "48-approval-other-officer-organisation",
}


def _why_not(document: dict[str, Any]) -> str | None:
    case = json.loads(Path(document["_path"]).read_text(encoding="utf-8"))
    if "options" in case and set(case["options"]) - {"review_due_after_hours"}:
        return "the case sets policy options the shell has no setting for"
    return None


def _prior_disclosure(db: Database, number: str, document: dict[str, Any]) -> str:
    """The disclosure an onward request cites, as the world holds it: made to the case's
    ``derived_from.recipient`` for its purpose, of its categories, under its agreement.
    (Set directly in the case's copy: how it was permitted is another case's concern.)"""
    prior = document["request"]["derived_from"]
    with db.unit_of_work() as uow:
        person = uow.session.scalars(
            select(ServiceUserRecord.id).where(ServiceUserRecord.nhs_number == number)
        ).one()
        made = DisclosureRecord(
            id=uuid.uuid4(), made_at=datetime.fromisoformat(document["request"]["at"])
            - timedelta(days=30), requester=case_email("ltht-nurse"), provider="LTHT"
            if prior["recipient"] != "LTHT" else "LCC", recipient=prior["recipient"],
            recipient_role=None, service_user_id=person, purpose=prior["purpose"],
            isa_reference=prior.get("isa"), transfer_method="email", outcome="permit",
            basis="consent", decision={}, subject_informed=True, not_informed_reason=None,
            derived_from_id=None, referral_id=None, police_request=None, ledger_sequence=None,
            items=[{"category": c, "content": f"about {c}", "nature": "fact",
                    "confidential_from_subject": False} for c in prior["categories"]],
        )  # fmt: skip
        uow.session.add(made)
        uow.commit()
        return str(made.id)


class _Frozen(datetime):
    """``datetime`` whose ``now`` is the case's moment: the app runs when the case asks."""

    moment: ClassVar[datetime] = CASES_AT

    @classmethod
    def now(cls, tz: Any = None) -> _Frozen:  # type: ignore[override]
        at = cls.moment.astimezone(tz or UTC)
        return cls(at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond,
                   at.tzinfo)  # fmt: skip


TEMPLATE = "leeds-2002-cases-http"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _world(
    request: pytest.FixtureRequest, templates: DatabaseTemplates, engine: str
) -> Iterator[str]:
    return templates.copy(request, engine, TEMPLATE, cases_world(CASES_POLICY["adopted_on"]))


def _adopted_on(db: Database, dates: dict[str, str]) -> None:
    """The case's adoption dates. A recorded adoption is evidence the services never replace
    (Procedure C1), so the case's world is set directly in its own copy of the database."""
    with db.unit_of_work() as uow:
        for code, on in dates.items():
            uow.session.execute(
                update(OrganisationRecord)
                .where(OrganisationRecord.code == code)
                .values(adopted_on=date.fromisoformat(on))
            )
        uow.commit()


def _store_person(db: Database, path: Path, document: dict[str, Any]) -> str:
    facts, request = document["facts"], document["request"]
    number = nhs_number(CASE_FILES.index(path))
    dob = facts.get("date_of_birth")
    register_service_user(
        db.unit_of_work(), nhs_number=number, given_name="Case", family_name=path.stem,
        date_of_birth=date.fromisoformat(dob) if dob else None, now=CASES_AT,
    )  # fmt: skip
    known = {o["code"] for o in _organisations(db)}
    # the consent is recorded by the provider; a provider that is not a partner (a case of
    # an unknown organisation) cannot record one, so the recipient records it
    recorder = request["provider"] if request["provider"] in known else request["recipient"]
    stored: dict[str, Any] = {}
    for doc in facts.get("consents", []):
        draft = _consent(number, doc, recorder)
        if doc.get("supersedes"):
            draft = draft.model_copy(update={"supersedes": stored[doc["supersedes"]]})
        view = record_consent(db.unit_of_work(), draft, now=CASES_AT)
        stored[doc["id"]] = view.id
        if doc.get("withdrawn_at"):
            withdraw_consent(
                db.unit_of_work(), view.id,
                WithdrawalDraft(
                    at=doc["withdrawn_at"], method="verbal-recorded", recorded_by="Case worker",
                    recorded_by_organisation=recorder,
                ),
                now=CASES_AT,
            )  # fmt: skip
    record_case_limits(db, number, facts, recorder)
    return number


def _organisations(db: Database) -> list[dict[str, str]]:
    return [{"code": o.code} for o in list_organisations(db.unit_of_work())]


def _body(document: dict[str, Any], number: str) -> dict[str, Any]:
    request = document["request"]
    return {
        "requester": case_email(request["requester"]),
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


#: the police party, whose requests without consent carry the s.29-style form (Procedure A5)
POLICE = "WYP"
POLICE_FORM = {
    "officer_name": "Case Officer",
    "rank": "Detective Constable",
    "information_needed": "What the case asks for",
    "why_needed": "The case's purpose",
    "prejudice_statement": True,
}


def _caller_organisation(document: dict[str, Any]) -> str:
    request = document["request"]
    staff = {m["id"]: m for m in document.get("staff", [])}
    member = staff.get(request["requester"])
    return member["organisation"] if member else request["provider"]


def json_mismatches(decision: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """How a decision as JSON (``decision_as_json``) differs from what the case expects."""
    found: list[str] = []

    def differs(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            found.append(f"{what}: got {got!r}, expected {wanted!r}")

    differs("outcome", decision["outcome"], expect["outcome"])
    differs("permitted", decision["permitted"], expect["permitted"])
    if "referred" in expect:
        differs("referred", decision["referred"], expect["referred"])
    codes = {r["code"] for r in decision["reasons"]}
    codes |= {r["code"] for w in decision["withheld"] for r in w["reasons"]}
    for code in expect.get("reason_codes", []):
        if code not in codes:
            found.append(f"reason code `{code}` missing from {sorted(codes)}")
    withheld = {w["category"]: {r["code"] for r in w["reasons"]} for w in decision["withheld"]}
    for category, wanted in expect.get("withheld", {}).items():
        if category not in withheld:
            found.append(f"`{category}` not withheld; withheld: {sorted(withheld)}")
            continue
        missing = set(wanted) - withheld[category]
        missing -= codes if not withheld[category] else set()
        if missing:
            found.append(f"`{category}` withheld without {sorted(missing)}")
    kinds = {c["kind"] for c in decision["conditions"]}
    for kind in expect.get("conditions", []):
        if kind not in kinds:
            found.append(f"condition `{kind}` missing from {sorted(kinds)}")
    if "basis" in expect:
        differs("basis", decision["basis"]["kind"], expect["basis"])
    if "review_due_at" in expect:
        due = [datetime.fromisoformat(c["due_at"]) for c in decision["conditions"] if c["due_at"]]
        differs("review due", due, [datetime.fromisoformat(expect["review_due_at"])])
    if "safeguards" in expect:
        refs = [c["refs"][0] for c in decision["conditions"] if c["kind"] == "transfer-safeguard"]
        differs("safeguards", refs, expect["safeguards"])
    return found


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_decides_the_same_over_http(
    request: pytest.FixtureRequest,
    database_templates: DatabaseTemplates,
    engine: str,
    monkeypatch: pytest.MonkeyPatch,
    path: Path,
) -> None:
    document = case_document(path) | {"_path": str(path)}
    if path.stem in NOT_OVER_HTTP:
        pytest.skip(NOT_OVER_HTTP[path.stem])
    why_not = _why_not(document)
    if why_not:
        pytest.skip(why_not)
    case = json.loads(path.read_text(encoding="utf-8"))
    world = _world(request, database_templates, engine)
    url = next(world)
    request.addfinalizer(lambda: next(world, None))
    db = open_database(url)
    request.addfinalizer(db.dispose)
    add_case_staff(db, case.get("staff", []))
    add_case_agreements(db, case.get("agreements", []))
    _adopted_on(db, case.get("adopted_on", {}))
    number = _store_person(db, path, document)
    token = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code=_caller_organisation(document),
        name="case system", permissions=("disclosures:make", "disclosures:read"),
    ).token  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    hours = case.get("options", {}).get("review_due_after_hours", 72)
    settings = load_settings(
        database_url=url, environment=Environment.TEST, emergency_review_hours=hours
    )
    monkeypatch.setattr(_Frozen, "moment", datetime.fromisoformat(document["request"]["at"]))
    monkeypatch.setattr(clock, "datetime", _Frozen)
    body = _body(document, number)
    if _caller_organisation(document) == POLICE and body["basis"].get("kind") == "statutory":
        body["police_request"] = POLICE_FORM
    if document["request"].get("derived_from"):
        body["derived_from"] = _prior_disclosure(db, number, document)
    if document["request"].get("approval"):
        if path.stem in APPROVAL_NOT_OVER_HTTP:
            pytest.skip(APPROVAL_NOT_OVER_HTTP[path.stem])
        _approved_over_http(db, settings, document, body, headers, path.stem)
        return
    with TestClient(create_app(settings)) as client:
        asked = client.post("/api/v1/decisions", json=body, headers=headers)
        if path.stem in SHELL_REFUSES:
            assert asked.status_code == 422, asked.text
            assert asked.headers["content-type"] == "application/problem+json"
            return
        assert asked.status_code == 200, asked.text
        assert json_mismatches(asked.json()["decision"], document["expect"]) == []
        # a disclosure names the items to share, each with its category and nature
        items = [
            {"category": c, "content": f"about {c}", "nature": "fact"} for c in body["categories"]
        ]
        shared = client.post(
            "/api/v1/disclosures", json=body | {"categories": [], "items": items}, headers=headers
        )
        assert shared.status_code == 200, shared.text
        answer = shared.json()
    assert json_mismatches(answer["decision"], document["expect"]) == []
    outcome = document["expect"]["outcome"]
    assert (answer["disclosure_id"] is not None) == (outcome in ("permit", "permit_anonymised"))
    # what was referred, whole or beside what was permitted, waits for a designated officer
    # (A5), and the answer names the referral
    referred = outcome == "refer" or bool(answer["decision"]["referred"])
    assert (answer["referral_id"] is not None) == referred
    referrals = row_counts(url)["referrals"]
    assert referrals == (1 if answer["decision"]["referred"] else 0)


def _approved_over_http(
    db: Database,
    settings: Any,
    document: dict[str, Any],
    body: dict[str, Any],
    headers: dict[str, str],
    stem: str,
) -> None:
    """A case with an approval, as it happens over HTTP: the request is referred, then the
    case's officer approves the referral for the provider party (Procedure A5)."""
    approval, expect = document["request"]["approval"], document["expect"]
    provider = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code=document["request"]["provider"],
        name="provider case system", permissions=("disclosures:make", "disclosures:read"),
    ).token  # fmt: skip
    items = [{"category": c, "content": f"about {c}", "nature": "fact"} for c in body["categories"]]
    with TestClient(create_app(settings)) as client:
        referred = client.post(
            "/api/v1/disclosures", json=body | {"categories": [], "items": items}, headers=headers
        )
        assert referred.status_code == 200, referred.text
        assert referred.json()["outcome"] == "refer"
        referral = referred.json()["referral_id"]
        answer = client.post(
            f"/api/v1/referrals/{referral}/approve",
            json={"officer": case_email(approval["officer"]), "reason": "Meets section 47"},
            headers={"Authorization": f"Bearer {provider}"},
        )
    if stem in APPROVAL_REFUSED:
        # the shell refuses an approval the officer may not give before deciding anything
        assert expect["outcome"] == "deny"
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert row_counts(db.url)["disclosures"] == 0
        return
    assert answer.status_code == 200, answer.text
    assert json_mismatches(answer.json()["decision"], expect) == []
    assert answer.json()["disclosure_id"] is not None
