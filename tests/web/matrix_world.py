"""The world the route matrix runs in, the principals who ask, and the routes of the app.

The portal world (staff of every role at LTHT, a disclosure of Amara Okafor's information
from LTHT to LCC, Amara's portal account) plus a consent of Dylan Marsh recorded by WYP, so
that "another party's" consent exists. Every route of the app is enumerated from the app
itself, so a route added without a row in the matrix fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import func, select

from infoshare.policy.access import TOKEN_PERMISSIONS
from infoshare.services.access_log import CONSOLE
from infoshare.services.api_tokens import issue_api_token
from infoshare.services.consent import ConsentDraft, consent_history, record_consent
from infoshare.services.database import Database, open_database
from infoshare.services.service_users import find_by_nhs_number
from infoshare.store.models import AccessLogRecord, AccountRecord, DisclosureRecord, StaffRecord
from tests.support.accounts_world import NOW, SERVICE_USERS
from tests.support.portal_world import build_portal_world

TEMPLATE = "leeds-2002-matrix"
OWN = SERVICE_USERS[0][0]  # Amara Okafor: held by LTHT only; the portal user
OTHER = SERVICE_USERS[3][0]  # Dylan Marsh: held by WYP only
AGREEMENT = "LEEDS-ISA-2003-007"
PRACTITIONER_EMAIL = "pat.practitioner@ltht.example"
#: another party's member of staff with an account: WYP's practitioner
OTHER_EMAIL = "wes.police@wyp.example"
#: an id nothing has: routes given it answer "not found"
NOBODY = "00000000-0000-4000-8000-000000000000"


def build_matrix_world(url: str) -> None:
    build_portal_world(url)
    database = open_database(url)
    try:
        record_consent(
            database.unit_of_work(),
            ConsentDraft(
                nhs_number=OTHER,
                decision="given",
                obtained_by="Wes Police",
                obtained_by_organisation="WYP",
                obtained_at=datetime(2025, 12, 1, 10, 0, tzinfo=UTC),
                method="signed-form",
                form_version="App4-2002-v1",
                explained_purposes=["crime"],
                explained_data_categories=["identity"],
                explained_recipients=["LCC"],
                leaflet_given=True,
                purposes=["crime"],
                data_categories=["identity"],
                recipients=["LCC"],
            ),
            now=NOW,
        )
    finally:
        database.dispose()


@dataclass(frozen=True)
class Ids:
    """The identifiers the route templates are filled with, for "own" and "other"."""

    own: dict[str, str]
    other: dict[str, str]


def ids_of(url: str) -> Ids:
    database = open_database(url)
    try:
        own_person = find_by_nhs_number(database.unit_of_work(), OWN)
        other_person = find_by_nhs_number(database.unit_of_work(), OTHER)
        [own_consent] = consent_history(database.unit_of_work(), OWN).consents
        [other_consent] = consent_history(database.unit_of_work(), OTHER).consents
        with database.unit_of_work().reading() as uow:
            disclosure = uow.session.scalars(select(DisclosureRecord.id)).one()
            account, other_account = (
                uow.session.scalars(
                    select(AccountRecord.id)
                    .join(StaffRecord, StaffRecord.id == AccountRecord.staff_id)
                    .where(StaffRecord.email == email)
                ).one()
                for email in (PRACTITIONER_EMAIL, OTHER_EMAIL)
            )
    finally:
        database.dispose()
    common = {
        "reference": AGREEMENT,
        "version": "1",
        "code": "LTHT",
        "email": PRACTITIONER_EMAIL,
        "organisation_code": "LTHT",
        "objection_id": NOBODY,
        # a password link nobody was given
        "token": "not-a-link-anyone-was-given",
        "size": "1",
        "token_id": NOBODY,
        "task_id": NOBODY,
        "referral_id": NOBODY,
        "resource_id": NOBODY,
        "disclosure_id": str(disclosure),
    }
    return Ids(
        own=common
        | {
            "service_user_id": str(own_person.id),
            "consent_id": str(own_consent.id),
            "account_id": str(account),
        },
        other=common
        | {
            "service_user_id": str(other_person.id),
            "consent_id": str(other_consent.id),
            "account_id": str(other_account),
        },
    )


def issue_token(url: str) -> str:
    """An API token of LTHT holding every permission a token may hold."""
    database = open_database(url)
    try:
        issued = issue_api_token(
            database.unit_of_work(),
            CONSOLE,
            organisation_code="LTHT",
            name="matrix",
            permissions=[p.value for p in TOKEN_PERMISSIONS],
        )
    finally:
        database.dispose()
    return issued.token


def denials(database: Database) -> int:
    """How many refusals the access log holds."""
    with database.unit_of_work().reading() as uow:
        query = select(func.count(AccessLogRecord.id)).where(AccessLogRecord.outcome == "denied")
        return int(uow.session.scalar(query) or 0)


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path template) the app answers, HEAD aside, sorted."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                found |= {(m, context.path) for m in context.methods - {"HEAD"}}
        elif getattr(route, "methods", None):
            found |= {(m, route.path) for m in route.methods - {"HEAD"}}  # type: ignore[attr-defined]
    return sorted(found, key=lambda mp: (mp[1], mp[0]))
