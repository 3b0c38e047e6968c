"""Service users: register a person once by NHS number, and the identifiers partners use.

The NHS number is the identifier the partners share; each organisation also knows the
person by its own number (hospital number, social care id, police reference), unique within
that organisation. Finding a person by either is what every later step (consent, Procedures
A1–A4; disclosure; subject access, Principle 12) starts from.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.domain.identifiers import parse_nhs_number
from infoshare.errors import ConflictError, InputError, NotFoundError, UnknownReferenceError
from infoshare.services.clock import now_or
from infoshare.services.organisations import organisation_by_code
from infoshare.store.models import LocalIdentifierRecord, OrganisationRecord, ServiceUserRecord
from infoshare.store.unit_of_work import UnitOfWork

# A UK postcode: outward code (area, district) and inward code (sector, unit), e.g. LS6 2AB.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
LOCAL_IDENTIFIER_MAX = 64


@dataclass(frozen=True)
class LocalIdentifierView:
    organisation_code: str
    identifier: str


@dataclass(frozen=True)
class ServiceUserView:
    id: uuid.UUID
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str | None
    local_identifiers: tuple[LocalIdentifierView, ...]


def normalise_postcode(postcode: str) -> str:
    """The postcode in capitals with one space, ``LS6 2AB``; InputError if it is not one."""
    match = POSTCODE.match(postcode.strip().upper())
    if match is None:
        raise InputError(
            f"`{postcode}` is not a UK postcode; write it like `LS6 2AB`", field="postcode"
        )
    return f"{match.group(1)} {match.group(2)}"


def _view(session: Session, record: ServiceUserRecord) -> ServiceUserView:
    rows = session.execute(select(OrganisationRecord.id, OrganisationRecord.code))
    codes = {organisation_id: code for organisation_id, code in rows}
    identifiers = sorted((codes[i.organisation_id], i.identifier) for i in record.local_identifiers)
    return ServiceUserView(
        id=record.id,
        nhs_number=record.nhs_number,
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        postcode=record.postcode,
        local_identifiers=tuple(LocalIdentifierView(c, i) for c, i in identifiers),
    )


def register_service_user(
    uow: UnitOfWork,
    *,
    nhs_number: str,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    postcode: str | None = None,
    now: datetime | None = None,
) -> ServiceUserView:
    """Register a person by NHS number. An invalid number is an InvalidNHSNumberError; a
    number already registered is a ConflictError. Nothing is written unless all is well."""
    number = parse_nhs_number(nhs_number)
    given_name, family_name = given_name.strip(), family_name.strip()
    if not given_name or not family_name:
        field = "given_name" if not given_name else "family_name"
        raise InputError(
            f"the {field.replace('_', ' ')} is empty; give the person's name", field=field
        )
    moment = now_or(now)
    if date_of_birth is not None and date_of_birth > moment.date():
        raise InputError(
            f"the date of birth `{date_of_birth.isoformat()}` is in the future; check it",
            field="date_of_birth",
        )
    code = normalise_postcode(postcode) if postcode and postcode.strip() else None
    with uow:
        session = uow.session
        exists = session.scalars(
            select(ServiceUserRecord.id).where(ServiceUserRecord.nhs_number == number)
        ).first()
        if exists is not None:
            raise _duplicate(number)
        record = ServiceUserRecord(
            nhs_number=number,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            postcode=code,
            created_at=moment,
            local_identifiers=[],
        )
        session.add(record)
        try:
            uow.flush()
        except IntegrityError as exc:  # registered by another writer since we looked
            raise _duplicate(number) from exc
        view = _view(session, record)
        uow.commit()
    return view


def _duplicate(number: str) -> ConflictError:
    return ConflictError(
        f"a service user with NHS number `{number}` is already registered; find them "
        "instead of registering them again",
        field="nhs_number",
    )


def add_local_identifier(
    uow: UnitOfWork,
    *,
    nhs_number: str,
    organisation_code: str,
    identifier: str,
    now: datetime | None = None,
) -> ServiceUserView:
    """Record that ``organisation_code`` knows the person as ``identifier``.

    Adding the same identifier to the same person again changes nothing; an identifier the
    organisation already uses for someone else is a ConflictError.
    """
    number = parse_nhs_number(nhs_number)
    identifier = identifier.strip()
    if not identifier or len(identifier) > LOCAL_IDENTIFIER_MAX:
        raise InputError(
            f"`{identifier}` is not a local identifier; give 1 to {LOCAL_IDENTIFIER_MAX} "
            "characters",
            field="identifier",
        )
    moment = now_or(now)
    with uow:
        session = uow.session
        person = _by_nhs_number(session, number, missing=UnknownReferenceError)
        organisation = organisation_by_code(session, organisation_code, field="organisation")
        holder = session.scalars(
            select(LocalIdentifierRecord).where(
                LocalIdentifierRecord.organisation_id == organisation.id,
                LocalIdentifierRecord.identifier == identifier,
            )
        ).one_or_none()
        if holder is not None:
            if holder.service_user_id == person.id:
                return _view(session, person)
            raise _identifier_taken(organisation.code, identifier)
        person.local_identifiers.append(
            LocalIdentifierRecord(
                organisation_id=organisation.id, identifier=identifier, created_at=moment
            )
        )
        try:
            uow.flush()
        except IntegrityError as exc:
            raise _identifier_taken(organisation.code, identifier) from exc
        view = _view(session, person)
        uow.commit()
    return view


def _identifier_taken(code: str, identifier: str) -> ConflictError:
    return ConflictError(
        f"`{code}` already uses identifier `{identifier}` for another service user; "
        "check the number",
        field="identifier",
    )


def _by_nhs_number(
    session: Session, number: str, *, missing: type[InputError] | type[NotFoundError]
) -> ServiceUserRecord:
    record = session.scalars(
        select(ServiceUserRecord).where(ServiceUserRecord.nhs_number == number)
    ).one_or_none()
    if record is None:
        raise missing(
            f"no service user with NHS number `{number}` is registered; register them first",
            field="nhs_number",
        )
    return record


def find_by_nhs_number(uow: UnitOfWork, nhs_number: str) -> ServiceUserView:
    """The person with this NHS number (spaces allowed); NotFoundError if not registered."""
    number = parse_nhs_number(nhs_number)
    with uow.reading():
        return _view(uow.session, _by_nhs_number(uow.session, number, missing=NotFoundError))


def find_by_local_identifier(
    uow: UnitOfWork, *, organisation_code: str, identifier: str
) -> ServiceUserView:
    """The person ``organisation_code`` knows as ``identifier``; NotFoundError if none."""
    identifier = identifier.strip()
    with uow.reading():
        session = uow.session
        organisation = organisation_by_code(session, organisation_code, field="organisation")
        record = session.scalars(
            select(ServiceUserRecord)
            .join(LocalIdentifierRecord)
            .where(
                LocalIdentifierRecord.organisation_id == organisation.id,
                LocalIdentifierRecord.identifier == identifier,
            )
        ).one_or_none()
        if record is None:
            raise NotFoundError(
                f"`{organisation.code}` has no service user with identifier `{identifier}`",
                field="identifier",
            )
        return _view(session, record)
