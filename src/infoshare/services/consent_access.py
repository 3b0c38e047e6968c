"""Who may record and read consent, and the access log entry each read leaves (Procedure B1).

Recording a consent, a withdrawal or a capacity assessment needs ``consent:record`` for the
organisation it is recorded on behalf of: staff (or a system's API token) record only for
their own party. Reading a person's consent records needs ``service-users:read`` over that
person, which a party has when it holds an identifier for them or has itself recorded their
consent; every read is logged with why, and every refusal too (Principle 7). A record held
only by other parties is answered as not found.

A requester of ``None`` is the trusted caller inside the process (the operator's command
line, the demo, the decision engine): nothing is checked or logged for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.errors import NotFoundError, PermissionDeniedError
from infoshare.policy.access import Permission, authorize
from infoshare.services.access_log import Outcome, Requester, add_entry, refuse
from infoshare.services.clock import now_or
from infoshare.store.models import (
    ConsentRecord,
    LocalIdentifierRecord,
    OrganisationRecord,
    ServiceUserRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

#: what the access log says was read
CONSENT_RECORDS = "consent records"


@contextmanager
def opened(uow: UnitOfWork, requester: Requester | None) -> Iterator[UnitOfWork]:
    """A read-only transaction for the trusted caller; one that can log, for a requester."""
    if requester is None:
        with uow.reading():
            yield uow
        return
    with uow:
        yield uow
        uow.commit()


def check_recording(
    uow: UnitOfWork,
    requester: Requester | None,
    organisation_code: str,
    *,
    what: str,
    at: datetime,
) -> None:
    """Refuse (logging it) unless ``requester`` may record consent for ``organisation_code``.

    Called before anything else is added to the unit of work, so committing the refusal
    stores the log entry and nothing more.
    """
    if requester is None:
        return
    decision = authorize(requester.actor, Permission.CONSENT_RECORD, organisation_code)
    if decision.allowed:
        return
    refuse(uow.session, requester, decision, what=what, at=at)
    uow.commit()
    # Recording for another party is refused as such (403), not hidden: nothing of anyone's
    # records is revealed by saying that the requester may not act for that party.
    raise PermissionDeniedError(
        f"{decision.message}; record {what} only for your own organisation "
        f"(`{requester.organisation_code}`) ({decision.clause})",
        field="organisation",
    )


def check_may_record(
    uow: UnitOfWork, requester: Requester, *, what: str, now: datetime | None = None
) -> None:
    """Refuse (logging it, 403) unless ``requester``'s roles allow ``consent:record`` at all.

    Asked before a form is read, so a role that may not record is told so, not that its form
    is incomplete (Procedure B1: authorization before input). Which party the record is for
    is checked again with the record (``check_recording``).
    """
    with uow:
        own = requester.organisation_code or ""
        check_recording(uow, requester, own, what=what, at=now_or(now))


def _holds(session: Session, organisation_code: str, service_user_id: uuid.UUID) -> bool:
    """Whether the party holds an identifier for the person, or recorded their consent."""
    identifier = session.scalars(
        select(LocalIdentifierRecord.id)
        .join(OrganisationRecord, OrganisationRecord.id == LocalIdentifierRecord.organisation_id)
        .where(
            LocalIdentifierRecord.service_user_id == service_user_id,
            OrganisationRecord.code == organisation_code,
        )
        .limit(1)
    ).first()
    if identifier is not None:
        return True
    recorded = session.scalars(
        select(ConsentRecord.id)
        .join(
            OrganisationRecord, OrganisationRecord.id == ConsentRecord.obtained_by_organisation_id
        )
        .where(
            ConsentRecord.service_user_id == service_user_id,
            OrganisationRecord.code == organisation_code,
        )
        .limit(1)
    ).first()
    return recorded is not None


def person_to_read(
    uow: UnitOfWork, requester: Requester | None, service_user_id: uuid.UUID, *, why: str
) -> ServiceUserRecord:
    """The service user with this id, their read logged (or refused, logged); 404 if none."""
    person = uow.session.get(ServiceUserRecord, service_user_id)
    if person is None:
        raise NotFoundError(
            f"there is no service user `{service_user_id}`; check the link",
            field="service_user_id",
        )
    check_reading(uow, requester, person.id, why=why, at=now_or(None))
    return person


def check_reading(
    uow: UnitOfWork,
    requester: Requester | None,
    service_user_id: uuid.UUID,
    *,
    why: str,
    at: datetime,
) -> None:
    """Log the read of a person's consent records, or refuse it (logged) and raise."""
    if requester is None:
        return
    session = uow.session
    code = requester.organisation_code
    owner = code if code is not None and _holds(session, code, service_user_id) else None
    decision = authorize(requester.actor, Permission.SERVICE_USERS_READ, owner)
    if decision.allowed:
        add_entry(session, requester, outcome=Outcome.READ,
                  action=Permission.SERVICE_USERS_READ.value, what=CONSENT_RECORDS, why=why,
                  clause=decision.clause, at=at, service_user_id=service_user_id)  # fmt: skip
        return
    error = refuse(session, requester, decision, what=CONSENT_RECORDS, at=at,
                   service_user_id=service_user_id)  # fmt: skip
    uow.commit()
    raise error
