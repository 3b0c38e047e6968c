"""A world for the sharing workflow: the accounts world (staff of every role at LTHT, staff at
LCC and WYP, five service users), the demo's agreements in force, designated officers at LCC
and WYP, and one consent: Amara Okafor agreed that LTHT may tell LCC's social workers what
they need for her care.

And the decision cases' world (tests/cases/decisions): the shared policy's staff as
``<id>@cases.example``, its adoption dates and the demo's agreements, with each case's
objections and restrictions recorded through the objections service."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import update

from infoshare.agreements import EXAMPLES_DIR
from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.policy.access import Actor
from infoshare.services import adoption
from infoshare.services.access_log import CONSOLE, Requester, RequesterKind
from infoshare.services.accounts import create_account
from infoshare.services.agreements import activate, import_agreement, sign
from infoshare.services.consent import ConsentDraft, record_consent
from infoshare.services.database import Database, open_database
from infoshare.services.demo_agreements import add_demo_agreements, record_later_adoptions
from infoshare.services.objections import (
    LimitKind,
    ObjectionDraft,
    RestrictionGround,
    record_objection,
)
from infoshare.services.setup import initialise
from infoshare.services.staff import create_staff
from infoshare.store.models import StaffRecord
from tests.support.accounts_world import (
    NOW,
    PASSWORD,
    PEOPLE,
    SERVICE_USERS,
    TOTP_SECRET,
    build_world,
)

TEMPLATE = "leeds-2002-sharing"
AMARA = SERVICE_USERS[0][0]
CHLOE = SERVICE_USERS[2][0]
BRIAN = SERVICE_USERS[1][0]

PRACTITIONER = PEOPLE["practitioner"].email
LTHT_OFFICER = PEOPLE["designated-officer"].email
SOCIAL_WORKER = PEOPLE["lcc-practitioner"].email
POLICE_OFFICER = PEOPLE["wyp-practitioner"].email
LCC_OFFICER = "lena.officer@lcc.example"
#: a designated officer who is also a practitioner: may ask, may not approve their own
LCC_BOTH = "lou.both@lcc.example"
WYP_OFFICER = "will.officer@wyp.example"

EXTRA = [
    (LCC_OFFICER, "LCC", ("designated-officer",)),
    (LCC_BOTH, "LCC", ("designated-officer", "practitioner")),
    (WYP_OFFICER, "WYP", ("designated-officer",)),
]


def build_sharing_world(url: str) -> None:
    build_world(url)
    database = open_database(url)
    try:
        for email, code, roles in EXTRA:
            create_staff(
                database.unit_of_work(),
                organisation_code=code,
                name=email.split("@")[0].replace(".", " ").title(),
                email=email,
                job_title="Designated officer",
                roles=roles,
                training_completed_on=date(2025, 6, 1),
                now=NOW,
            )
            create_account(
                database.unit_of_work(),
                email=email,
                password=PASSWORD,
                totp_secret=TOTP_SECRET,
                now=NOW,
            )
        # LCC and WYP are in these journeys: their approval, which the demo itself does not
        # record, puts every example agreement in force (Procedure C1).
        record_later_adoptions(database)
        add_demo_agreements(database, now=NOW)
        record_consent(
            database.unit_of_work(),
            ConsentDraft(
                nhs_number=AMARA,
                decision="given",
                obtained_by="Pat Practitioner",
                obtained_by_organisation="LTHT",
                obtained_at=datetime(2025, 12, 1, 10, 0, tzinfo=UTC),
                method="signed-form",
                form_version="App4-2002-v1",
                explained_purposes=["care"],
                explained_data_categories=["identity", "physical-health", "social-care-needs"],
                explained_recipients=["LCC"],
                leaflet_given=True,
                purposes=["care"],
                data_categories=["identity", "physical-health", "social-care-needs"],
                recipients=["LCC"],
            ),
            now=NOW,
        )
    finally:
        database.dispose()


def staff(email: str) -> Requester:
    """``email`` as a signed-in member of staff of the world."""
    person = next((p for p in PEOPLE.values() if p.email == email), None)
    if person is not None:
        code, roles = person.organisation, person.roles
    else:
        code, roles = next((c, r) for e, c, r in EXTRA if e == email)
    return Requester(
        RequesterKind.STAFF, email, "127.0.0.1", Actor(code, frozenset(roles), reference=email)
    )


# --- the decision cases' world (tests/cases/decisions) ------------------------------------------

#: the shared policy of the decision cases: its staff, adoption dates and agreements
CASES_POLICY: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "cases" / "decisions" / "_policies" / "leeds.json").read_text(
        encoding="utf-8"
    )
)
CASES_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
#: the example agreements ``add_demo_agreements`` puts in the world, by file name
EXAMPLES_IN_WORLD = frozenset(
    item.removeprefix("example:") for item in CASES_POLICY["agreements"] if isinstance(item, str)
)


def case_email(staff_id: str) -> str:
    """A case's member of staff, as the database knows them (staff are named by email)."""
    return f"{staff_id}@cases.example"


def add_case_staff(db: Database, members: list[dict[str, Any]]) -> None:
    """The cases' staff (``id``, ``organisation``, ``roles``, ``trained_on``, ``active``)."""
    for member in members:
        trained = member.get("trained_on")
        create_staff(
            db.unit_of_work(), organisation_code=member["organisation"],
            name=member["id"], email=case_email(member["id"]), job_title="Case",
            roles=member.get("roles", []),
            training_completed_on=date.fromisoformat(trained) if trained else None, now=CASES_AT,
        )  # fmt: skip
        if member.get("active") is False:
            with db.unit_of_work() as uow:
                uow.session.execute(
                    update(StaffRecord)
                    .where(StaffRecord.email == case_email(member["id"]))
                    .values(active=False)
                )
                uow.commit()


def cases_world(adopted_on: dict[str, str]) -> Callable[[str], None]:
    """A builder of the cases' world with these adoption dates (a case may move one; an
    adoption, once recorded, is evidence and is not replaced, so each set is its own world)."""

    def build(url: str) -> None:
        initialise(url, "leeds-2002", now=CASES_AT)
        db = open_database(url)
        try:
            for code, on in adopted_on.items():
                adoption.record_adoption(
                    db.unit_of_work(), code, approved_on=date.fromisoformat(on),
                    approving_body="Board", requester=CONSOLE,
                )  # fmt: skip
            add_case_staff(db, CASES_POLICY["staff"])
            add_demo_agreements(db, now=CASES_AT)
        finally:
            db.dispose()

    return build


def record_case_limits(db: Database, number: str, facts: dict[str, Any], provider: str) -> None:
    """A case's objections and restrictions, recorded through the objections service on
    behalf of the provider (Principles 4, 5)."""
    for doc in facts.get("objections", []):
        record_objection(
            db.unit_of_work(),
            ObjectionDraft(
                nhs_number=number, kind=LimitKind.OBJECTION,
                recipients=doc.get("recipients", []), purposes=doc.get("purposes", []),
                data_categories=doc.get("categories", []), note=doc.get("note", ""),
                stated_at=datetime.fromisoformat(doc["at"]), recorded_by="Case worker",
                recorded_by_organisation=provider,
            ),
            now=CASES_AT,
        )  # fmt: skip
    for doc in facts.get("restrictions", []):
        until = doc.get("until")
        record_objection(
            db.unit_of_work(),
            ObjectionDraft(
                nhs_number=number, kind=LimitKind.RESTRICTION,
                recipients=doc.get("recipients", []), purposes=doc.get("purposes", []),
                data_categories=doc["categories"], note=doc["reason"],
                ground=RestrictionGround.OTHER,
                # a case's restriction applies whenever asked: in force from the start
                stated_at=datetime(2000, 1, 1, tzinfo=UTC),
                until=datetime.fromisoformat(until) if until else None,
                recorded_by="Case worker", recorded_by_organisation=provider,
            ),
            now=CASES_AT,
        )  # fmt: skip


#: what the activation lint requires (ISA032, ISA035, ISA036) and a case's inline agreement
#: may leave out: no case's expectation depends on these
_SAFEGUARDS_REQUIRED = {"post": ["recorded-delivery", "return-address", "confirm-receipt"]}


def _activatable(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` completed with what the services require before putting it in force."""
    document.setdefault(
        "retention", {"months": 24, "starting": "the end of care", "disposal": "Shredded."}
    )
    document.setdefault("security", "Kept on the recipient's case system, staff only.")
    methods = []
    for method in document.get("transfer_methods", []):
        extra = _SAFEGUARDS_REQUIRED.get(method["method"], [])
        safeguards = list(method.get("safeguards", []))
        methods.append(
            method | {"safeguards": safeguards + [x for x in extra if x not in safeguards]}
        )
    document["transfer_methods"] = methods
    return document


def add_case_agreements(db: Database, items: list[str | dict[str, Any]]) -> None:
    """A case's own agreements, taken through their lifecycle: imported as proposed, signed
    by every party on their start date, and put in force (Sections 1.1, 3.1). An inline one
    is first completed with what activation requires (``_activatable``)."""
    for item in items:
        if isinstance(item, str):
            if item.removeprefix("example:") in EXAMPLES_IN_WORLD:
                continue  # the world holds the demo's example agreements already
            text = (EXAMPLES_DIR / f"{item.removeprefix('example:')}.yaml").read_text(
                encoding="utf-8"
            )
            written = parse_agreement(text, item).agreement
            document = yaml.safe_load(text)
        else:
            document = _activatable(dict(item))
            written = InformationSharingAgreement.model_validate(document)
        document["status"] = "proposed"
        document.pop("signatories", None)
        reference = written.reference
        import_agreement(
            db.unit_of_work(), yaml.safe_dump(document, sort_keys=False), f"{reference}.yaml",
            requester=CONSOLE, now=CASES_AT,
        )  # fmt: skip
        for code in written.party_codes:
            sign(
                db.unit_of_work(), reference, organisation=code, name="Case signatory",
                post="Caldicott Guardian", signed_on=written.start_date, requester=CONSOLE,
                now=CASES_AT,
            )  # fmt: skip
        activate(
            db.unit_of_work(), reference, today=written.start_date, requester=CONSOLE,
            now=CASES_AT,
        )  # fmt: skip
