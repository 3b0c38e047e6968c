"""The contacts directory (Procedure A6): who holds a specific role at each partner, and how
to reach them.

Procedure A6 asks every partner to publish contact details of staff with specific roles:
designated officers (Caldicott Guardians and their equivalents), data protection officers,
information sharing leads, lead members, and the Information Sharing Manager. Who holds
which role comes from the staff records (services/staff.py); this module adds telephone,
secure email and hours, and answers the question referrals need: who are the designated
officers of a party (``designated_officers``)?

Who may set a person's contact details: someone with ``agreements:manage`` at that
person's party (a lead member, an information sharing lead, the party's governance system),
the Information Sharing Manager, or the party's own administrator, who runs its accounts
(``may_set_contact_details``).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from infoshare.errors import ConflictError, InputError, UnknownReferenceError
from infoshare.policy.access import Permission, authorize
from infoshare.services.access_log import Requester, RequesterKind
from infoshare.services.agreements import authorise, management_refusal
from infoshare.services.clock import now_or
from infoshare.services.organisations import organisation_by_code
from infoshare.services.staff import EMAIL
from infoshare.store.models import (
    ContactDetailsRecord,
    OrganisationRecord,
    StaffRecord,
    StaffRoleRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

#: the roles the directory lists, in the order it lists them (Procedure A6, section 4.1)
DIRECTORY_ROLES = (
    "designated-officer",
    "data-protection-officer",
    "information-sharing-lead",
    "lead-member",
    "information-sharing-manager",
)
DESIGNATED_OFFICER = "designated-officer"
TELEPHONE_CHARACTERS = frozenset("0123456789 +()-")


class ContactEntry(BaseModel):
    """One person in the directory, with the directory roles they hold at their partner."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    organisation_name: str
    name: str
    job_title: str
    roles: list[str]
    email: str
    telephone: str | None
    secure_email: str | None
    hours: str | None


def contacts_directory(
    uow: UnitOfWork, *, organisation: str | None = None, role: str | None = None
) -> list[ContactEntry]:
    """Active staff holding a directory role, by organisation, then role, then name."""
    if role is not None and role not in DIRECTORY_ROLES:
        choices = ", ".join(f"`{r}`" for r in DIRECTORY_ROLES)
        raise InputError(
            f"`{role}` is not a role the directory lists; use one of {choices}", field="role"
        )
    wanted = (role,) if role is not None else DIRECTORY_ROLES
    with uow.reading():
        session = uow.session
        if organisation is not None:
            organisation_by_code(session, organisation, field="organisation")
        query = (
            select(StaffRecord, OrganisationRecord.code, OrganisationRecord.name)
            .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
            .where(
                StaffRecord.active.is_(True),
                StaffRecord.id.in_(
                    select(StaffRoleRecord.staff_id).where(StaffRoleRecord.role_id.in_(wanted))
                ),
            )
            .order_by(OrganisationRecord.code, StaffRecord.name)
        )
        if organisation is not None:
            query = query.where(OrganisationRecord.code == organisation)
        rows = session.execute(query).all()
        details = {
            d.staff_id: d
            for d in session.scalars(
                select(ContactDetailsRecord).where(
                    ContactDetailsRecord.staff_id.in_([r[0].id for r in rows])
                )
            )
        }
        entries = []
        for person, code, organisation_name in rows:
            roles = [r for r in DIRECTORY_ROLES if r in {x.role_id for x in person.roles}]
            detail = details.get(person.id)
            entries.append(
                ContactEntry(
                    organisation=code,
                    organisation_name=organisation_name,
                    name=person.name,
                    job_title=person.job_title,
                    roles=roles,
                    email=person.email,
                    telephone=detail.telephone if detail else None,
                    secure_email=detail.secure_email if detail else None,
                    hours=detail.hours if detail else None,
                )
            )
    rank = {r: i for i, r in enumerate(DIRECTORY_ROLES)}
    return sorted(entries, key=lambda e: (e.organisation, rank[e.roles[0]], e.name))


def designated_officers(uow: UnitOfWork, organisation: str) -> list[ContactEntry]:
    """The designated officers of ``organisation``, who approve disclosures without consent
    and receive referrals (Procedure A5, A6); empty if the party has none on record.
    """
    return contacts_directory(uow, organisation=organisation, role=DESIGNATED_OFFICER)


def _administers(requester: Requester, organisation: str) -> bool:
    """Whether ``requester`` runs ``organisation``'s accounts (its administrator): keeping its
    staff's directory entries is part of that. Tokens never carry ``accounts:manage``.
    """
    actor = requester.actor
    return (
        requester.kind is not RequesterKind.CONSOLE
        and actor is not None
        and authorize(actor, Permission.ACCOUNTS_MANAGE, organisation).allowed
    )


def may_set_contact_details(requester: Requester, organisation: str) -> bool:
    """Whether ``requester`` may set how to reach ``organisation``'s staff (for showing forms;
    ``set_contact_details`` decides again and logs a refusal).
    """
    if _administers(requester, organisation):
        return True
    what = f"the contact details of `{organisation}`'s staff"
    return management_refusal(requester, organisations=[organisation], what=what) is None


def check_may_set_contact_details(
    uow: UnitOfWork, requester: Requester, *, now: datetime | None = None
) -> None:
    """Refuse (logged, 403) unless ``requester`` may set contact details of their own party.

    Asked before a form is read, so a role that may not is told so, not that its form is
    incomplete (Procedure B1: authorization before input); ``set_contact_details`` checks
    again for the member of staff named.
    """
    own = requester.organisation_code or ""
    if _administers(requester, own):
        return
    with uow:
        authorise(
            uow, requester, organisations=[own],
            what=f"the contact details of `{own}`'s staff", at=now_or(now),
        )  # fmt: skip


def set_contact_details(
    uow: UnitOfWork,
    email: str,
    *,
    telephone: str | None = None,
    secure_email: str | None = None,
    hours: str | None = None,
    requester: Requester,
    now: datetime | None = None,
) -> ContactEntry:
    """Set how to reach the member of staff with ``email`` (replacing what was set before).

    They must hold a directory role; a telephone number is digits, spaces, ``+``, ``(``,
    ``)`` and ``-``; a secure email is an address.
    """
    telephone = (telephone or "").strip() or None
    secure_email = (secure_email or "").strip().lower() or None
    hours = (hours or "").strip() or None
    if telephone is not None and (
        not set(telephone) <= TELEPHONE_CHARACTERS or sum(c.isdigit() for c in telephone) < 6
    ):
        raise InputError(
            f"`{telephone}` is not a telephone number; write it like `0113 243 2799`",
            field="telephone",
        )
    if secure_email is not None and not EMAIL.match(secure_email):
        raise InputError(
            f"`{secure_email}` is not an email address; give one like `name@leeds.gsi.gov.uk`",
            field="secure_email",
        )
    address = email.strip().lower()
    moment = now_or(now)
    with uow:
        session = uow.session
        person = session.scalars(select(StaffRecord).where(StaffRecord.email == address)).first()
        if person is None:
            raise UnknownReferenceError(
                f"there is no member of staff with email `{email}`", field="email"
            )
        organisation = session.get_one(OrganisationRecord, person.organisation_id)
        if not _administers(requester, organisation.code):
            authorise(
                uow, requester, organisations=[organisation.code],
                what=f"the contact details of `{address}`", at=moment,
            )  # fmt: skip
        if not {r.role_id for r in person.roles} & set(DIRECTORY_ROLES):
            raise InputError(
                f"`{address}` holds no role the directory lists; give them one of "
                f"{', '.join(DIRECTORY_ROLES)} first (Procedure A6)",
                field="email",
            )
        record = session.get(ContactDetailsRecord, person.id)
        if record is None:
            record = ContactDetailsRecord(staff_id=person.id, updated_at=moment)
            session.add(record)
        record.telephone, record.secure_email, record.hours = telephone, secure_email, hours
        record.updated_at = moment
        try:
            uow.flush()
        except IntegrityError as error:  # first details for this person, set twice at once
            raise ConflictError(
                f"the contact details of `{address}` were set by someone else at the same "
                "moment; look at the directory and try again",
                field="email",
            ) from error
        entry = ContactEntry(
            organisation=organisation.code,
            organisation_name=organisation.name,
            name=person.name,
            job_title=person.job_title,
            roles=[r for r in DIRECTORY_ROLES if r in {x.role_id for x in person.roles}],
            email=person.email,
            telephone=telephone,
            secure_email=secure_email,
            hours=hours,
        )
        uow.commit()
    return entry
