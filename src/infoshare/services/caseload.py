"""The service users of the requester's own party, read under access control and logged.

Procedure B1 and Principle 7: staff see the service users their own organisation provides
services to (those it holds a local identifier for) and nothing else; what another party
disclosed to theirs will reach them through disclosures. Every person shown is a read of
personal data and goes into the access log with who, whom, what, when and why; every refusal
is logged too. A record of another party is answered as not found, so its existence is not
disclosed either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from infoshare.errors import InputError
from infoshare.policy.access import Permission, authorize
from infoshare.services.access_log import Outcome, Requester, add_entry, refuse
from infoshare.services.clock import now_or
from infoshare.store.models import LocalIdentifierRecord, OrganisationRecord, ServiceUserRecord
from infoshare.store.unit_of_work import UnitOfWork

PAGE_SIZE_MAX = 200
LIST_WHAT = "name, NHS number, date of birth and local identifier"
DETAIL_WHAT = "name, NHS number, date of birth, postcode and local identifier"


@dataclass(frozen=True)
class ServiceUserSummary:
    id: uuid.UUID
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    #: the requester's own organisation's identifier for the person
    local_identifier: str


@dataclass(frozen=True)
class ServiceUserDetail(ServiceUserSummary):
    postcode: str | None
    #: only the requester's own organisation: who else knows the person is not theirs to see
    organisation_code: str


@dataclass(frozen=True)
class CaseloadPage:
    organisation_code: str
    items: tuple[ServiceUserSummary, ...]
    total: int
    offset: int
    limit: int


def list_own_service_users(
    uow: UnitOfWork,
    requester: Requester,
    *,
    why: str,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> CaseloadPage:
    """One page of the service users of the requester's party, by family then given name.

    PermissionDeniedError (logged) unless the requester may read service users.
    """
    if not 1 <= limit <= PAGE_SIZE_MAX or offset < 0:
        raise InputError(
            f"ask for 1 to {PAGE_SIZE_MAX} service users from an offset of 0 or more",
            field="limit",
        )
    at = now_or(now)
    organisation_code = requester.organisation_code
    decision = authorize(requester.actor, Permission.SERVICE_USERS_READ, organisation_code)
    with uow:
        session = uow.session
        if not decision.allowed or organisation_code is None:
            error = refuse(session, requester, decision, what="service users", at=at)
            uow.commit()
            raise error
        organisation_id = session.scalars(
            select(OrganisationRecord.id).where(OrganisationRecord.code == organisation_code)
        ).one()
        mine = (
            select(ServiceUserRecord, LocalIdentifierRecord.identifier)
            .join(LocalIdentifierRecord)
            .where(LocalIdentifierRecord.organisation_id == organisation_id)
        )
        total = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
        rows = session.execute(
            mine.order_by(
                ServiceUserRecord.family_name, ServiceUserRecord.given_name, ServiceUserRecord.id
            )
            .offset(offset)
            .limit(limit)
        ).all()
        items = tuple(_summary(record, identifier) for record, identifier in rows)
        for item in items:
            add_entry(session, requester, outcome=Outcome.READ,
                      action=Permission.SERVICE_USERS_READ.value, what=LIST_WHAT, why=why,
                      clause=decision.clause, at=at, service_user_id=item.id)  # fmt: skip
        uow.commit()
    return CaseloadPage(organisation_code, items, total, offset, limit)


def _summary(record: ServiceUserRecord, identifier: str) -> ServiceUserSummary:
    return ServiceUserSummary(
        id=record.id,
        nhs_number=record.nhs_number,
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        local_identifier=identifier,
    )


def get_own_service_user(
    uow: UnitOfWork,
    requester: Requester,
    service_user_id: uuid.UUID,
    *,
    why: str,
    now: datetime | None = None,
) -> ServiceUserDetail:
    """One service user of the requester's party, logged as read.

    A person the party holds no identifier for, or no such person, is a NotFoundError (the
    refusal is logged); a requester who may not read service users gets PermissionDeniedError.
    """
    at = now_or(now)
    organisation_code = requester.organisation_code
    held_by = OrganisationRecord.id == LocalIdentifierRecord.organisation_id
    with uow:
        session = uow.session
        row = session.execute(
            select(ServiceUserRecord, LocalIdentifierRecord.identifier)
            .join(LocalIdentifierRecord)
            .join(OrganisationRecord, held_by)
            .where(
                ServiceUserRecord.id == service_user_id,
                OrganisationRecord.code == (organisation_code or ""),
            )
        ).one_or_none()
        # A person held only by other parties is, to this requester, owned by none of theirs.
        owner = organisation_code if row is not None else None
        decision = authorize(requester.actor, Permission.SERVICE_USERS_READ, owner)
        if decision.allowed and row is not None:
            record, identifier = row
            detail = ServiceUserDetail(
                **_summary(record, identifier).__dict__,
                postcode=record.postcode,
                organisation_code=organisation_code or "",
            )
            add_entry(session, requester, outcome=Outcome.READ,
                      action=Permission.SERVICE_USERS_READ.value, what=DETAIL_WHAT, why=why,
                      clause=decision.clause, at=at, service_user_id=record.id)  # fmt: skip
            uow.commit()
            return detail
        exists = session.get(ServiceUserRecord, service_user_id) is not None
        error = refuse(session, requester, decision, what="service user", at=at,
                       service_user_id=service_user_id if exists else None)  # fmt: skip
        uow.commit()
    raise error
