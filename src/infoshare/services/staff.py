"""Staff of partner organisations: who they are, the protocol roles they hold, their training.

Procedure A6 (contact details for staff with specific roles: designated officers, lead
members, the Information Sharing Manager), section 4.1 (who is responsible for what), and
Principle 14 with Procedure C2 (staff awareness: when each person completed training).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from infoshare.errors import ConflictError, InputError, NotFoundError, UnknownReferenceError
from infoshare.services.clock import now_or
from infoshare.services.organisations import organisation_by_code
from infoshare.store.models import OrganisationRecord, RoleRecord, StaffRecord, StaffRoleRecord
from infoshare.store.unit_of_work import UnitOfWork

# Deliberately loose: one @, something before it, a dot in the domain. Mail servers decide
# the rest; the point here is to catch a name typed into the email field.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class StaffView:
    id: uuid.UUID
    organisation_code: str
    name: str
    email: str
    job_title: str
    #: role ids from the pack, e.g. ``designated-officer``, sorted
    roles: tuple[str, ...]
    active: bool
    #: when the person completed protocol training; None if not yet (Principle 14)
    training_completed_on: date | None


def _view(record: StaffRecord, organisation_code: str) -> StaffView:
    return StaffView(
        id=record.id,
        organisation_code=organisation_code,
        name=record.name,
        email=record.email,
        job_title=record.job_title,
        roles=tuple(sorted(r.role_id for r in record.roles)),
        active=record.active,
        training_completed_on=record.training_completed_on,
    )


def normalise_email(email: str) -> str:
    """The address as stored: trimmed and lower-case; InputError if it is not an address."""
    cleaned = email.strip().lower()
    if not EMAIL.match(cleaned):
        raise InputError(
            f"`{email}` is not an email address; give one like `name@organisation.nhs.uk`",
            field="email",
        )
    return cleaned


def create_staff(
    uow: UnitOfWork,
    *,
    organisation_code: str,
    name: str,
    email: str,
    job_title: str,
    roles: Sequence[str] = (),
    training_completed_on: date | None = None,
    active: bool = True,
    now: datetime | None = None,
) -> StaffView:
    """Add a member of staff to an organisation, with the protocol roles they hold.

    An unknown organisation or role is an UnknownReferenceError; an email already in use is
    a ConflictError.
    """
    name = name.strip()
    if not name:
        raise InputError("the name is empty; give the person's full name", field="name")
    job_title = job_title.strip()
    if not job_title:
        raise InputError("the job title is empty; give the person's job title", field="job_title")
    address = normalise_email(email)
    wanted_roles = sorted(set(roles))
    moment = now_or(now)
    with uow:
        session = uow.session
        organisation = organisation_by_code(session, organisation_code, field="organisation")
        known = set(session.scalars(select(RoleRecord.id).where(RoleRecord.id.in_(wanted_roles))))
        unknown = [r for r in wanted_roles if r not in known]
        if unknown:
            all_roles = ", ".join(f"`{r}`" for r in session.scalars(select(RoleRecord.id)))
            raise UnknownReferenceError(
                f"unknown role `{unknown[0]}`; the protocol pack defines {all_roles}",
                field="roles",
            )
        if session.scalars(select(StaffRecord.id).where(StaffRecord.email == address)).first():
            raise _duplicate(address)
        record = StaffRecord(
            organisation_id=organisation.id,
            name=name,
            email=address,
            job_title=job_title,
            active=active,
            training_completed_on=training_completed_on,
            created_at=moment,
            roles=[StaffRoleRecord(role_id=r) for r in wanted_roles],
        )
        session.add(record)
        try:
            uow.flush()
        except IntegrityError as exc:  # another writer took the address since we looked
            raise _duplicate(address) from exc
        view = _view(record, organisation.code)
        uow.commit()
    return view


def _duplicate(address: str) -> ConflictError:
    return ConflictError(
        f"a member of staff with email `{address}` already exists; each person has one record",
        field="email",
    )


def list_staff(
    uow: UnitOfWork,
    *,
    organisation_code: str | None = None,
    role: str | None = None,
    include_inactive: bool = False,
) -> list[StaffView]:
    """Staff, by organisation then name; optionally of one organisation or holding one role."""
    query = (
        select(StaffRecord, OrganisationRecord.code)
        .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
        .order_by(OrganisationRecord.code, StaffRecord.name, StaffRecord.email)
    )
    if organisation_code is not None:
        query = query.where(OrganisationRecord.code == organisation_code)
    if role is not None:
        query = query.where(
            StaffRecord.id.in_(
                select(StaffRoleRecord.staff_id).where(StaffRoleRecord.role_id == role)
            )
        )
    if not include_inactive:
        query = query.where(StaffRecord.active.is_(True))
    with uow.reading():
        return [_view(record, code) for record, code in uow.session.execute(query)]


def get_staff(uow: UnitOfWork, email: str) -> StaffView:
    """The member of staff with ``email``; NotFoundError if there is none."""
    address = email.strip().lower()
    with uow.reading():
        row = uow.session.execute(
            select(StaffRecord, OrganisationRecord.code)
            .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
            .where(StaffRecord.email == address)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"there is no member of staff with email `{email}`", field="email")
        return _view(*row)


def record_training(uow: UnitOfWork, email: str, *, completed_on: date) -> StaffView:
    """Record that the person completed protocol training on ``completed_on`` (Principle 14)."""
    address = email.strip().lower()
    with uow:
        row = uow.session.execute(
            select(StaffRecord, OrganisationRecord.code)
            .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
            .where(StaffRecord.email == address)
        ).one_or_none()
        if row is None:
            raise UnknownReferenceError(
                f"there is no member of staff with email `{email}`", field="email"
            )
        record, code = row
        record.training_completed_on = completed_on
        view = _view(record, code)
        uow.commit()
    return view
