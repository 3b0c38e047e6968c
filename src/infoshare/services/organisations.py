"""Partner organisations: register them, list them, record their adoption of the protocol.

Section 1.2 (parties and supporting members) and Procedure C1 (approval and adoption by each
party's board, or a body it delegates to, recorded with its minute).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.errors import ConflictError, InputError, NotFoundError, UnknownReferenceError
from infoshare.protocol.schema import Membership, OrganisationType
from infoshare.services import ledger
from infoshare.services.clock import now_or
from infoshare.store.models import OrganisationRecord
from infoshare.store.unit_of_work import UnitOfWork

ORGANISATION_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


@dataclass(frozen=True)
class Adoption:
    """A party's formal approval of the protocol (Procedure C1)."""

    approved_on: date
    approving_body: str
    minute_reference: str | None


@dataclass(frozen=True)
class OrganisationView:
    id: uuid.UUID
    code: str
    name: str
    type: str
    membership: str
    departments: tuple[str, ...]
    #: None while the party's approval is awaited, and for supporting members
    adoption: Adoption | None

    @property
    def is_party(self) -> bool:
        return self.membership == Membership.PARTY


def organisation_view(record: OrganisationRecord) -> OrganisationView:
    adoption = None
    if record.adopted_on is not None and record.approving_body is not None:
        adoption = Adoption(record.adopted_on, record.approving_body, record.minute_reference)
    return OrganisationView(
        id=record.id,
        code=record.code,
        name=record.name,
        type=record.type,
        membership=record.membership,
        departments=tuple(record.departments),
        adoption=adoption,
    )


def organisation_by_code(session: Session, code: str, *, field: str = "code") -> OrganisationRecord:
    """The stored organisation with ``code``, or UnknownReferenceError naming the code."""
    record = session.scalars(
        select(OrganisationRecord).where(OrganisationRecord.code == code)
    ).one_or_none()
    if record is None:
        raise UnknownReferenceError(
            f"there is no organisation with code `{code}`; `infoshare organisations list` "
            "shows the codes",
            field=field,
        )
    return record


def _check_choice(value: str, allowed: Sequence[str], field: str) -> str:
    if value not in allowed:
        choices = ", ".join(f"`{a}`" for a in allowed)
        raise InputError(f"`{value}` is not a known {field}; use one of {choices}", field=field)
    return value


def create_organisation(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    organisation_type: str,
    membership: str,
    departments: Sequence[str] = (),
    now: datetime | None = None,
) -> OrganisationView:
    """Register a partner organisation. A code already in use is a ConflictError naming it."""
    code = code.strip()
    if not ORGANISATION_CODE.match(code):
        raise InputError(
            f"`{code}` is not an organisation code; use 2 to 12 capital letters or digits, "
            "e.g. `LTHT`",
            field="code",
        )
    name = name.strip()
    if not name:
        raise InputError("the organisation's name is empty; give its full name", field="name")
    _check_choice(organisation_type, [t.value for t in OrganisationType], "type")
    _check_choice(membership, [m.value for m in Membership], "membership")
    with uow:
        session = uow.session
        exists = session.scalars(
            select(OrganisationRecord.id).where(OrganisationRecord.code == code)
        ).first()
        if exists is not None:
            raise _duplicate(code)
        record = OrganisationRecord(
            code=code,
            name=name,
            type=organisation_type,
            membership=membership,
            departments=[d.strip() for d in departments if d.strip()],
            created_at=now_or(now),
        )
        session.add(record)
        try:
            uow.flush()
        except IntegrityError as exc:  # another writer took the code since we looked
            raise _duplicate(code) from exc
        view = organisation_view(record)
        uow.commit()
    return view


def _duplicate(code: str) -> ConflictError:
    return ConflictError(
        f"an organisation with code `{code}` already exists; choose another code, or edit "
        "the existing organisation",
        field="code",
    )


def list_organisations(uow: UnitOfWork) -> list[OrganisationView]:
    """Every organisation: parties first, then supporting members, each by code (section 1.2)."""
    parties_first = case((OrganisationRecord.membership == Membership.PARTY.value, 0), else_=1)
    with uow.reading():
        records = uow.session.scalars(
            select(OrganisationRecord).order_by(parties_first, OrganisationRecord.code)
        ).all()
        return [organisation_view(r) for r in records]


def get_organisation(uow: UnitOfWork, code: str) -> OrganisationView:
    """The organisation with ``code``; NotFoundError if there is none."""
    with uow.reading():
        record = uow.session.scalars(
            select(OrganisationRecord).where(OrganisationRecord.code == code)
        ).one_or_none()
        if record is None:
            raise NotFoundError(f"there is no organisation with code `{code}`", field="code")
        return organisation_view(record)


def record_adoption(
    uow: UnitOfWork,
    code: str,
    *,
    approved_on: date,
    approving_body: str,
    minute_reference: str | None = None,
    now: datetime | None = None,
) -> OrganisationView:
    """Record that party ``code`` formally approved the protocol (Procedure C1).

    The adoption is appended to the ledger in the same transaction (Procedure C3).

    Only parties adopt the protocol; supporting members support its aims (section 1.2).
    Recording the same approval again changes nothing; a different one is a ConflictError,
    since the first is the evidence.
    """
    approving_body = approving_body.strip()
    if not approving_body:
        raise InputError(
            "the approving body is empty; name the board (or delegated body) that approved "
            "the protocol (Procedure C1)",
            field="approving_body",
        )
    minute_reference = (minute_reference or "").strip() or None
    with uow:
        record = organisation_by_code(uow.session, code)
        if record.membership != Membership.PARTY:
            raise InputError(
                f"`{code}` is a supporting member; only parties to the protocol adopt it "
                "(Section 1.2, Procedure C1)",
                field="code",
            )
        wanted = (approved_on, approving_body, minute_reference)
        if record.adopted_on is not None:
            stored = (record.adopted_on, record.approving_body, record.minute_reference)
            if stored == wanted:
                return organisation_view(record)
            raise ConflictError(
                f"`{code}` already approved the protocol on {record.adopted_on.isoformat()} "
                f"({record.approving_body}); that record is the evidence and is not replaced",
                field="code",
            )
        record.adopted_on, record.approving_body, record.minute_reference = wanted
        at = now_or(now)
        event = ledger.adoption_event(code, approved_on, approving_body, minute_reference, at=at)
        ledger.record(uow, event)  # in this transaction: the adoption and its entry, or neither
        view = organisation_view(record)
        uow.commit()
    return view
