"""Demo data: synthetic staff and service users on top of a loaded protocol pack.

The partners and their adoption state come from the pack itself (for ``leeds-2002``, seven
of the ten parties had approved on 1 October 2002; Procedure C1). On top of them the demo
adds staff with the roles the protocol names (section 4.1, Procedure A6): in every party at
least one designated officer and one lead member, practitioners everywhere, one
Information Sharing Manager for the whole protocol; most staff trained, some not yet
(Principle 14). Then service users with valid synthetic NHS numbers, each known to one to
three partners by a local identifier.

Then ``demo_agreements.py`` records procedure confirmations (C3), the example agreements
through their lifecycle, and contact details (A6), as they might have stood in September
2003, the three awaited parties still awaited (their agreements signed but not in force).

All of it comes from ``random.Random(seed)`` (see demo_people.py): the same seed and size
give the same people. Rows go in by bulk insert in one transaction; a database that already
has demo data gets nothing more, and one holding real staff or service users is refused.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from infoshare.errors import ConflictError, InputError
from infoshare.protocol.schema import Membership, OrganisationType
from infoshare.services.clock import now_or
from infoshare.services.demo_agreements import add_demo_agreements
from infoshare.services.demo_consents import add_demo_consents
from infoshare.services.demo_people import (
    synthetic_date_of_birth,
    synthetic_name,
    synthetic_nhs_numbers,
    synthetic_postcode,
    synthetic_uuid,
)
from infoshare.services.setup import SetupReport, initialise
from infoshare.services.staff import StaffView, list_staff
from infoshare.store.database import Database
from infoshare.store.models import (
    DemoDatasetRecord,
    LocalIdentifierRecord,
    OrganisationRecord,
    RoleRecord,
    ServiceUserRecord,
    StaffRecord,
    StaffRoleRecord,
)

#: called as progress(step, done, total) while the demo is built
Progress = Callable[[str, int, int], None]
BATCH = 5_000
DEFAULT_SEED = 2002


@dataclass(frozen=True)
class DemoSize:
    name: str
    staff: int
    service_users: int


DEMO_SIZES = {
    "small": DemoSize("small", staff=300, service_users=3_000),
    # Leeds had about 810,000 residents; a tenth of them known to the partners is a fair load.
    "leeds": DemoSize("leeds", staff=10_000, service_users=100_000),
}


@dataclass(frozen=True)
class DemoReport:
    size: str
    seed: int
    #: False when the database already had demo data and nothing was added
    created: bool
    staff: int
    service_users: int
    local_identifiers: int
    parties: int
    parties_adopted: int
    #: a few people to try the system as, one per kind of user
    sample_staff: tuple[StaffView, ...]


# How big each kind of partner is, relative to the others.
STAFF_WEIGHTS = {
    OrganisationType.ACUTE_TRUST: 30,
    OrganisationType.LOCAL_AUTHORITY: 25,
    OrganisationType.MENTAL_HEALTH_TRUST: 10,
    OrganisationType.POLICE: 10,
    OrganisationType.EDUCATION: 8,
    OrganisationType.PRIMARY_CARE_TRUST: 5,
    OrganisationType.PROBATION: 3,
    OrganisationType.AMBULANCE: 3,
}
OTHER_WEIGHT = 1
PRACTITIONER_TITLES = {
    OrganisationType.ACUTE_TRUST: (
        "Staff Nurse", "Ward Sister", "Consultant Physician", "Discharge Co-ordinator",
        "Physiotherapist", "Specialist Registrar",
    ),
    OrganisationType.MENTAL_HEALTH_TRUST: (
        "Community Psychiatric Nurse", "Consultant Psychiatrist", "Approved Social Worker",
        "Clinical Psychologist",
    ),
    OrganisationType.PRIMARY_CARE_TRUST: (
        "District Nurse", "Health Visitor", "General Practitioner", "Practice Nurse",
    ),
    OrganisationType.LOCAL_AUTHORITY: (
        "Social Worker", "Care Manager", "Housing Officer", "Occupational Therapist",
        "Family Support Worker",
    ),
    OrganisationType.EDUCATION: (
        "Education Welfare Officer", "Special Needs Co-ordinator", "Head Teacher",
    ),
    OrganisationType.POLICE: (
        "Police Constable", "Detective Constable", "Child Protection Officer",
    ),
    OrganisationType.PROBATION: ("Probation Officer", "Probation Service Officer"),
    OrganisationType.AMBULANCE: ("Paramedic", "Nurse Adviser"),
}  # fmt: skip
OTHER_TITLES = ("Caseworker", "Advocate", "Volunteer Co-ordinator")
# Organisations that keep case records of their own, and so their own identifiers.
CASE_RECORD_TYPES = frozenset(PRACTITIONER_TITLES)
TRAINED_SHARE = 0.85
ACTIVE_SHARE = 0.97


def run_demo(
    url: str,
    pack_name: str,
    size: DemoSize,
    *,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[SetupReport, DemoReport]:
    """Initialise the database at ``url`` with ``pack_name`` if needed, then add demo data."""
    setup = initialise(url, pack_name, now=now)
    db = Database.open(url)
    try:
        return setup, build_demo(db, size, seed=seed, now=now, progress=progress)
    finally:
        db.dispose()


def demo_size(name: str) -> DemoSize:
    """The demo size called ``name``; InputError naming the sizes there are."""
    if name not in DEMO_SIZES:
        known = ", ".join(f"`{n}`" for n in DEMO_SIZES)
        raise InputError(f"unknown demo size `{name}`; use one of {known}", field="size")
    return DEMO_SIZES[name]


def build_demo(
    db: Database,
    size: DemoSize,
    *,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Add ``size`` demo data made from ``seed`` to an initialised database (one transaction)."""
    moment = now_or(now)
    report = progress or (lambda _step, _done, _total: None)
    with db.unit_of_work() as uow:
        session = uow.session
        existing = session.scalars(select(DemoDatasetRecord)).first()
        created = existing is None
        if existing is not None:
            size_name, seed = existing.size, existing.seed
        else:
            size_name = size.name
            _refuse_real_data(session)
            rng = random.Random(seed)  # noqa: S311 - synthetic people, not secrets
            organisations = session.scalars(
                select(OrganisationRecord).order_by(OrganisationRecord.code)
            ).all()
            if not organisations:
                raise InputError(
                    "the database has no organisations; run `infoshare init` first",
                    field="database",
                )
            roles = set(session.scalars(select(RoleRecord.id)))
            staff_count = _add_staff(session, rng, organisations, roles, size, moment, report)
            users, _identifiers = _add_service_users(
                session, rng, organisations, size, moment, report
            )
            session.add(
                DemoDatasetRecord(
                    size=size.name,
                    seed=seed,
                    staff_count=staff_count,
                    service_user_count=users,
                    created_at=moment,
                )
            )
            uow.commit()
    if created:
        # Agreements, adoption, procedure confirmations and contacts (issue 4), each step
        # through the services, after the people they name exist.
        add_demo_agreements(db, now=moment)
        # Consent histories for a share of the service users (issue 3), through the services.
        add_demo_consents(db, now=moment, seed=seed)
    return _report(db, size_name, seed, created=created)


def _refuse_real_data(session: Session) -> None:
    people = session.scalar(select(func.count()).select_from(StaffRecord)) or 0
    people += session.scalar(select(func.count()).select_from(ServiceUserRecord)) or 0
    if people:
        raise ConflictError(
            "this database already holds staff or service users that are not demo data; "
            "the demo will not mix synthetic people with them. Point INFOSHARE_DATABASE_URL "
            "(or --db) at a new database",
            field="database",
        )


def _share(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, largest remainders first, summing exactly."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _key_roles(organisation: OrganisationRecord, headcount: int) -> list[tuple[str, list[str]]]:
    """The (job title, roles) of the people an organisation must have, before practitioners."""
    if organisation.membership != Membership.PARTY:
        return [("Steering Group Representative", ["lead-member", "steering-group"])]
    guardian = "Caldicott Guardian"
    if organisation.type == OrganisationType.POLICE:
        guardian = "Force Disclosure Officer"
    elif organisation.type == OrganisationType.EDUCATION:
        guardian = "Head of Information Governance"
    # One designated officer for every 200 staff or so, so approvals do not queue on one person.
    officers = [(guardian, ["designated-officer"])]
    officers += [("Deputy Caldicott Guardian", ["designated-officer"])] * (headcount // 200)
    return [
        *officers,
        ("Information Governance Lead", ["lead-member", "steering-group"]),
        ("Information Sharing Lead", ["information-sharing-lead"]),
        ("Data Protection Officer", ["data-protection-officer"]),
        ("Records Administrator", ["administrator"]),
    ]


def _add_staff(
    session: Session,
    rng: random.Random,
    organisations: Sequence[OrganisationRecord],
    known_roles: set[str],
    size: DemoSize,
    moment: datetime,
    progress: Progress,
) -> int:
    weights = [STAFF_WEIGHTS.get(OrganisationType(o.type), OTHER_WEIGHT) for o in organisations]
    headcounts = _share(size.staff, weights)
    manager_at = _information_sharing_manager_home(organisations)
    staff: list[dict[str, Any]] = []
    staff_roles: list[dict[str, Any]] = []
    emails: set[str] = set()
    today = moment.date()
    for organisation, headcount in zip(organisations, headcounts, strict=True):
        people = _key_roles(organisation, headcount)
        if organisation.id == manager_at:
            people.insert(0, ("Pan-Leeds Information Sharing Manager",
                              ["information-sharing-manager", "steering-group"]))  # fmt: skip
        titles = PRACTITIONER_TITLES.get(OrganisationType(organisation.type), OTHER_TITLES)
        while len(people) < headcount:
            people.append((rng.choice(titles), ["practitioner"]))
        for job_title, roles in people:
            given, family = synthetic_name(rng)
            staff_id = synthetic_uuid(rng)
            # Everyone with a key role has been trained; practitioners mostly (Principle 14).
            trained = rng.random() < TRAINED_SHARE or roles != ["practitioner"]
            staff.append(
                {
                    "id": staff_id,
                    "organisation_id": organisation.id,
                    "name": f"{given} {family}",
                    "email": _unique_email(given, family, organisation.code, emails),
                    "job_title": job_title,
                    "active": rng.random() < ACTIVE_SHARE or roles != ["practitioner"],
                    "training_completed_on": (
                        today - timedelta(days=rng.randrange(1, 730)) if trained else None
                    ),
                    "created_at": moment,
                }
            )
            staff_roles += [{"staff_id": staff_id, "role_id": r} for r in roles if r in known_roles]
    for done, batch in _batches(staff):
        session.execute(insert(StaffRecord), batch)
        progress("staff", done, len(staff))
    for _done, batch in _batches(staff_roles):
        session.execute(insert(StaffRoleRecord), batch)
    return len(staff)


def _information_sharing_manager_home(organisations: Sequence[OrganisationRecord]) -> Any:
    # The seed's Information Sharing Manager sat in the PCTs' shared informatics service,
    # reached through North West Leeds PCT; any party will do for another pack.
    parties = [o for o in organisations if o.membership == Membership.PARTY] or list(organisations)
    preferred = [o for o in parties if o.code == "NWLPCT"]
    return (preferred or parties)[0].id


def _unique_email(given: str, family: str, code: str, taken: set[str]) -> str:
    base = f"{given}.{family}".lower()
    domain = f"{code.lower()}.demo.infoshare.example"
    email, n = f"{base}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{domain}"
    taken.add(email)
    return email


def _add_service_users(
    session: Session,
    rng: random.Random,
    organisations: Sequence[OrganisationRecord],
    size: DemoSize,
    moment: datetime,
    progress: Progress,
) -> tuple[int, int]:
    holders = [o for o in organisations if OrganisationType(o.type) in CASE_RECORD_TYPES]
    holders = holders or list(organisations)
    counters = {o.id: 0 for o in holders}
    born_before = moment.date()
    users: list[dict[str, Any]] = []
    identifiers: list[dict[str, Any]] = []
    for number in synthetic_nhs_numbers(rng, size.service_users):
        given, family = synthetic_name(rng)
        user_id = synthetic_uuid(rng)
        users.append(
            {
                "id": user_id,
                "nhs_number": number,
                "given_name": given,
                "family_name": family,
                "date_of_birth": synthetic_date_of_birth(rng, born_before),
                "postcode": synthetic_postcode(rng),
                "created_at": moment,
            }
        )
        for organisation in rng.sample(holders, min(len(holders), rng.choice((1, 1, 2, 3)))):
            counters[organisation.id] += 1
            identifiers.append(
                {
                    "id": synthetic_uuid(rng),
                    "service_user_id": user_id,
                    "organisation_id": organisation.id,
                    "identifier": f"{organisation.code}-{counters[organisation.id]:07d}",
                    "created_at": moment,
                }
            )
    for done, batch in _batches(users):
        session.execute(insert(ServiceUserRecord), batch)
        progress("service users", done, len(users))
    for done, batch in _batches(identifiers):
        session.execute(insert(LocalIdentifierRecord), batch)
        progress("local identifiers", done, len(identifiers))
    return len(users), len(identifiers)


def _batches(rows: list[dict[str, Any]]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        yield start + len(batch), batch


def _report(db: Database, size: str, seed: int, *, created: bool) -> DemoReport:
    with db.unit_of_work().reading() as uow:
        session = uow.session
        staff = session.scalar(select(func.count()).select_from(StaffRecord)) or 0
        users = session.scalar(select(func.count()).select_from(ServiceUserRecord)) or 0
        identifiers = session.scalar(select(func.count()).select_from(LocalIdentifierRecord)) or 0
        parties = session.scalars(
            select(OrganisationRecord.adopted_on).where(
                OrganisationRecord.membership == Membership.PARTY.value
            )
        ).all()
    samples = _sample_staff(db)
    return DemoReport(
        size=size,
        seed=seed,
        created=created,
        staff=staff,
        service_users=users,
        local_identifiers=identifiers,
        parties=len(parties),
        parties_adopted=sum(1 for d in parties if d is not None),
        sample_staff=samples,
    )


def _trained_practitioner_at(code: str, staff: StaffView) -> bool:
    return (
        staff.roles == ("practitioner",)
        and staff.organisation_code == code
        and staff.training_completed_on is not None
    )


def _sample_staff(db: Database) -> tuple[StaffView, ...]:
    """One person per kind of user: the manager, officers, practitioners trained and not."""
    everyone = list_staff(db.unit_of_work())
    picks: list[StaffView] = []

    def pick(test: Callable[[StaffView], bool]) -> None:
        found = next((s for s in everyone if test(s) and s not in picks), None)
        if found is not None:
            picks.append(found)

    pick(lambda s: "information-sharing-manager" in s.roles)
    pick(lambda s: "designated-officer" in s.roles and s.organisation_code == "LTHT")
    pick(lambda s: "designated-officer" in s.roles and s.organisation_code == "LCC")
    pick(lambda s: "lead-member" in s.roles and s.organisation_code == "LCC")
    for code in ("LCC", "LTHT", "WYP", "EDL"):
        pick(functools.partial(_trained_practitioner_at, code))
    pick(lambda s: s.roles == ("practitioner",) and s.training_completed_on is None)
    return tuple(picks)
