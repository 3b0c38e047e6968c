"""A world for the sharing workflow: the accounts world (staff of every role at LTHT, staff at
LCC and WYP, five service users), the demo's agreements in force, designated officers at LCC
and WYP, and one consent: Amara Okafor agreed that LTHT may tell LCC's social workers what
they need for her care."""

from __future__ import annotations

from datetime import UTC, date, datetime

from infoshare.policy.access import Actor
from infoshare.services.access_log import Requester, RequesterKind
from infoshare.services.accounts import create_account
from infoshare.services.consent import ConsentDraft, record_consent
from infoshare.services.database import open_database
from infoshare.services.demo_agreements import add_demo_agreements, record_later_adoptions
from infoshare.services.staff import create_staff
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
