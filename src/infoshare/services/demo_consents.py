"""Demo consents: a share of the demo's service users with consent histories (issue 3).

Given, refused and withdrawn consents, some by representatives (a parent for a young child,
an attorney for an adult assessed as lacking capacity), children consenting for themselves
after a competence (Gillick) assessment, and limits such as "never to the police". Every
record goes through the consent services, so the demo holds nothing the rules would refuse
(Principle 5, Procedures A1–A4). Seeded: the same seed gives the same histories.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select

from infoshare.domain.capacity import AssessmentKind, CapacityOutcome
from infoshare.domain.consent import AuthorityKind, CollectionMethod, ConsentDecision, DecidedBy
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import (
    CapacityDraft,
    ConsentDraft,
    ImportRow,
    WithdrawalDraft,
    import_consents,
)
from infoshare.services.database import Database
from infoshare.store.models import (
    DataCategoryRecord,
    LocalIdentifierRecord,
    OrganisationRecord,
    PurposeRecord,
    ServiceUserRecord,
    StaffRecord,
)

#: one service user in this many gets a consent history, up to MAX_PEOPLE
SHARE: Final = 10
MAX_PEOPLE: Final = 1_500
#: categories the demo's consents name, where the pack has them
CATEGORIES: Final[tuple[str, ...]] = (
    "physical-health", "mental-health", "social-care-needs", "housing", "contact-details",
    "family-relationships", "education", "risk-assessment",
)  # fmt: skip
PARTIES: Final[tuple[str, ...]] = (
    "LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL",
)  # fmt: skip
FORM_VERSION: Final = "Appendix 4 (October 2002)"
LEAFLET: Final = "Sharing your information (2002)"


@dataclass(frozen=True)
class _Person:
    id: uuid.UUID
    nhs_number: str
    date_of_birth: date | None
    holder: str


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _people(db: Database) -> tuple[list[_Person], dict[str, list[str]], set[str], set[str]]:
    with db.unit_of_work().reading() as uow:
        session = uow.session
        rows = session.execute(
            select(
                ServiceUserRecord.id,
                ServiceUserRecord.nhs_number,
                ServiceUserRecord.date_of_birth,
                OrganisationRecord.code,
            )
            .join(
                LocalIdentifierRecord, LocalIdentifierRecord.service_user_id == ServiceUserRecord.id
            )
            .join(
                OrganisationRecord, OrganisationRecord.id == LocalIdentifierRecord.organisation_id
            )
            .order_by(ServiceUserRecord.nhs_number, OrganisationRecord.code)
        )
        people: dict[uuid.UUID, _Person] = {}
        for person_id, number, born, code in rows:
            people.setdefault(person_id, _Person(person_id, number, born, code))
        staff: dict[str, list[str]] = {}
        for name, code in session.execute(
            select(StaffRecord.name, OrganisationRecord.code)
            .join(OrganisationRecord, OrganisationRecord.id == StaffRecord.organisation_id)
            .order_by(StaffRecord.email)
        ):
            staff.setdefault(code, []).append(name)
        categories = set(session.scalars(select(DataCategoryRecord.id)))
        purposes = set(session.scalars(select(PurposeRecord.id)))
    return list(people.values()), staff, categories, purposes


def add_demo_consents(db: Database, *, now: datetime, seed: int) -> int:
    """Give a share of the service users consent histories; returns how many records."""
    rng = random.Random(seed + 3)  # noqa: S311 - synthetic histories, not secrets
    people, staff, known_categories, known_purposes = _people(db)
    chosen = [p for index, p in enumerate(people) if index % SHARE == 0][:MAX_PEOPLE]
    categories = [c for c in CATEGORIES if c in known_categories]
    purposes: list[str] = [p for p in ("care", "support", "protection") if p in known_purposes]
    if not chosen or not categories or "care" not in purposes:
        return 0
    rows: list[tuple[int, ImportRow]] = []
    assessments: list[CapacityDraft] = []
    for person in chosen:
        row = _history(rng, person, staff, categories, purposes, now, assessments)
        if row is not None:
            rows.append((len(rows), row))
    for draft in assessments:
        record_capacity_assessment(db.unit_of_work(), draft, now=now)
    stored, rejected = import_consents(db.unit_of_work(), rows, now=now)
    assert not rejected, f"demo consents the rules refuse: {rejected[:3]}"
    return len(stored) + len(assessments)


def _history(
    rng: random.Random,
    person: _Person,
    staff: dict[str, list[str]],
    categories: list[str],
    purposes: list[str],
    now: datetime,
    assessments: list[CapacityDraft],
) -> ImportRow | None:
    obtained = now - timedelta(days=rng.randint(20, 700), minutes=rng.randint(0, 600))
    born = person.date_of_birth
    if born is not None and born >= obtained.date():
        return None
    who = rng.choice(staff.get(person.holder) or ["A practitioner"])
    shared = sorted(rng.sample(categories, rng.randint(1, min(3, len(categories)))))
    chosen_purposes = ["care"] + [p for p in purposes if p != "care" and rng.random() < 0.3]
    recipients = sorted(rng.sample([c for c in PARTIES if c != person.holder], rng.randint(1, 3)))
    values: dict[str, Any] = {
        "nhs_number": person.nhs_number,
        "decision": ConsentDecision.GIVEN,
        "decided_by": DecidedBy.SERVICE_USER,
        "obtained_by": who,
        "obtained_by_organisation": person.holder,
        "obtained_at": obtained,
        "method": CollectionMethod.SIGNED_FORM,
        "form_version": FORM_VERSION,
        "explained_purposes": chosen_purposes,
        "explained_data_categories": shared,
        "explained_recipients": recipients,
        "leaflet_given": True,
        "leaflet_version": LEAFLET,
        "purposes": chosen_purposes,
        "data_categories": shared,
        "recipients": recipients,
        "review_date": (obtained + timedelta(days=365)).date(),
    }
    age = None if born is None else _age(born, obtained.date())
    decision = rng.random()
    if age is not None and age < 16:
        if age >= 12 and decision < 0.5:
            assessments.append(_assessment(person, who, obtained, chosen_purposes, shared, True))
        else:
            values |= {
                "decided_by": DecidedBy.REPRESENTATIVE,
                "representative_name": "A parent",
                "representative_relationship": "mother",
                "representative_authority": AuthorityKind.PARENTAL_RESPONSIBILITY,
            }
    elif decision < 0.05:
        assessments.append(_assessment(person, who, obtained, chosen_purposes, shared, False))
        values |= {
            "decided_by": DecidedBy.REPRESENTATIVE,
            "representative_name": "An attorney",
            "representative_relationship": "daughter",
            "representative_authority": AuthorityKind.LPA_HEALTH_AND_WELFARE,
            "representative_authority_reference": f"LPA-{rng.randint(100000, 999999)}",
        }
    elif decision < 0.15:
        values |= {"decision": ConsentDecision.REFUSED, "method": CollectionMethod.VERBAL_RECORDED,
                   "form_version": None}  # fmt: skip
    if values["decision"] is ConsentDecision.GIVEN and rng.random() < 0.2:
        values["exclusions"] = [{"recipients": ["WYP"], "note": "never to the police"}]
    draft = ConsentDraft.model_validate(values)
    if values["decision"] is ConsentDecision.GIVEN and rng.random() < 0.1:
        withdrawn_at = obtained + (now - obtained) * rng.uniform(0.2, 0.9)
        withdrawal = WithdrawalDraft(
            at=withdrawn_at,
            method=CollectionMethod.VERBAL_RECORDED,
            recorded_by=who,
            recorded_by_organisation=person.holder,
            reason="no longer wants information shared",
        )
        if draft.decided_by is DecidedBy.REPRESENTATIVE:
            withdrawal = withdrawal.model_copy(
                update={
                    "withdrawn_by": DecidedBy.REPRESENTATIVE,
                    "representative_name": draft.representative_name,
                    "representative_relationship": draft.representative_relationship,
                    "representative_authority": draft.representative_authority,
                    "representative_authority_reference": (
                        draft.representative_authority_reference
                    ),
                }
            )
        return (draft, withdrawal)
    return draft


def _assessment(
    person: _Person,
    who: str,
    obtained: datetime,
    purposes: list[str],
    categories: list[str],
    capable: bool,
) -> CapacityDraft:
    child = capable
    return CapacityDraft(
        nhs_number=person.nhs_number,
        purposes=purposes,
        data_categories=categories,
        kind=AssessmentKind.COMPETENCE if child else AssessmentKind.CAPACITY,
        outcome=CapacityOutcome.HAS_CAPACITY if capable else CapacityOutcome.LACKS_CAPACITY,
        assessed_by=who,
        assessed_by_organisation=person.holder,
        assessed_at=obtained - timedelta(hours=1),
        reasons=(
            "understands what would be shared, with whom and why, and can weigh it"
            if capable
            else "could not retain the information long enough to weigh it"
        ),
        review_date=(obtained + timedelta(days=180)).date(),
    )
