"""Sign-in accounts for a handful of demo staff, so the demo can be tried as each main role.

For development only: every demo account has the same published password, and the command
that calls this refuses outside ``INFOSHARE_ENVIRONMENT=development`` or ``test``. One person
per main role at LTHT, LMHST, LCC and WYP (practitioner, designated officer, lead member,
administrator) and the Information Sharing Manager. Designated officers and administrators
get a second factor at once (Procedure B1); its secret is returned so it can be printed and
added to an authenticator app. Running it again adds nothing and returns the same accounts.
One demo service user of LTHT gets a portal account too (Principle 12), with the same
password, to try the portal as a service user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from infoshare.domain import totp
from infoshare.errors import ConfigurationError
from infoshare.policy.access import Role, roles_need_second_factor
from infoshare.services.accounts import create_account, new_totp_secret
from infoshare.services.database import Database
from infoshare.services.portal_accounts import create_portal_account
from infoshare.services.staff import StaffView, list_staff
from infoshare.settings import Environment
from infoshare.store.models import (
    AccountRecord,
    ConsentRecord,
    LocalIdentifierRecord,
    OrganisationRecord,
    PortalAccountRecord,
    ServiceUserRecord,
    StaffRecord,
)

#: the one password of every demo account: public, so never outside development
DEMO_PASSWORD = "infoshare-demo-only"  # noqa: S105 - published on purpose, development only
DEMO_ORGANISATIONS = ("LTHT", "LMHST", "LCC", "WYP")
#: the job title the demo gives the person who runs accounts at each party
ADMINISTRATOR_TITLE = "Records Administrator"


@dataclass(frozen=True)
class DemoAccount:
    organisation_code: str
    #: the main role the account is there to show
    role: str
    name: str
    email: str
    #: base32 secret for an authenticator app, where the role needs a second factor
    totp_secret: str | None

    @property
    def totp_uri(self) -> str | None:
        if self.totp_secret is None:
            return None
        return totp.provisioning_uri(self.totp_secret, self.email)


#: (organisation, main role) of each demo account; "" for the protocol-wide manager
DEMO_ROLES: list[tuple[str, str]] = [
    (code, role.value)
    for code in DEMO_ORGANISATIONS
    for role in (Role.PRACTITIONER, Role.DESIGNATED_OFFICER, Role.LEAD_MEMBER, Role.ADMINISTRATOR)
] + [("", Role.INFORMATION_SHARING_MANAGER.value)]


def _fits(person: StaffView, code: str, role: str) -> bool:
    if code and person.organisation_code != code:
        return False
    if role == Role.PRACTITIONER.value:
        return person.roles == ("practitioner",) and person.training_completed_on is not None
    if role == Role.ADMINISTRATOR.value:
        return person.job_title == ADMINISTRATOR_TITLE
    return role in person.roles


def create_demo_accounts(
    database: Database, environment: Environment, *, now: datetime | None = None
) -> list[DemoAccount]:
    """Give the demo's people of each main role an account (once); list them all."""
    if environment is Environment.PRODUCTION:
        raise ConfigurationError(
            "demo accounts share a published password; they are made only with "
            "INFOSHARE_ENVIRONMENT=development",
            field="INFOSHARE_ENVIRONMENT",
        )
    everyone = list_staff(database.unit_of_work())
    made: list[DemoAccount] = []
    for code, role in DEMO_ROLES:
        person = next((s for s in everyone if _fits(s, code, role)), None)
        if person is None:
            continue
        needs_factor = roles_need_second_factor((role,))
        secret = _existing_secret(database, person.email)
        if secret is _NO_ACCOUNT:
            secret = new_totp_secret() if needs_factor else None
            create_account(
                database.unit_of_work(),
                email=person.email,
                password=DEMO_PASSWORD,
                administrator=role == Role.ADMINISTRATOR.value,
                totp_secret=secret,
                now=now,
            )
        made.append(
            DemoAccount(code or person.organisation_code, role, person.name, person.email, secret)
        )
    return made


_NO_ACCOUNT = "no account"


def _existing_secret(database: Database, email: str) -> str | None:
    with database.unit_of_work().reading() as uow:
        row = uow.session.execute(
            select(AccountRecord.totp_secret)
            .join(StaffRecord, AccountRecord.staff_id == StaffRecord.id)
            .where(StaffRecord.email == email)
        ).one_or_none()
    return _NO_ACCOUNT if row is None else row[0]


# --- a portal account for one demo service user (Principle 12) ----------------------------------

#: the service user's party in the demo: the portal account is for a person LTHT holds
PORTAL_DEMO_ORGANISATION = "LTHT"


@dataclass(frozen=True)
class DemoPortalAccount:
    name: str
    email: str
    nhs_number: str


def create_demo_portal_account(
    database: Database, environment: Environment, *, now: datetime | None = None
) -> DemoPortalAccount | None:
    """Give one demo service user of LTHT with a consent on record a portal account (once).

    The same published password as the staff accounts, so development only. None when the
    demo holds nobody suitable.
    """
    if environment is Environment.PRODUCTION:
        raise ConfigurationError(
            "the demo portal account has a published password; it is made only with "
            "INFOSHARE_ENVIRONMENT=development",
            field="INFOSHARE_ENVIRONMENT",
        )
    with database.unit_of_work().reading() as uow:
        person = uow.session.scalars(
            select(ServiceUserRecord)
            .join(
                LocalIdentifierRecord, LocalIdentifierRecord.service_user_id == ServiceUserRecord.id
            )
            .join(
                OrganisationRecord, OrganisationRecord.id == LocalIdentifierRecord.organisation_id
            )
            .join(ConsentRecord, ConsentRecord.service_user_id == ServiceUserRecord.id)
            .where(OrganisationRecord.code == PORTAL_DEMO_ORGANISATION)
            .order_by(
                ServiceUserRecord.family_name, ServiceUserRecord.given_name, ServiceUserRecord.id
            )
            .limit(1)
        ).first()
        if person is None:
            return None
        existing = uow.session.scalars(
            select(PortalAccountRecord.email).where(
                PortalAccountRecord.service_user_id == person.id
            )
        ).first()
        name = f"{person.given_name} {person.family_name}"
        service_user_id, nhs_number = person.id, person.nhs_number
        email = f"{person.given_name}.{person.family_name}@home.example".lower().replace(" ", "")
    if existing is None:
        create_portal_account(
            database.unit_of_work(),
            service_user_id=service_user_id,
            email=email,
            password=DEMO_PASSWORD,
            now=now,
        )
    return DemoPortalAccount(name, existing or email, nhs_number)
