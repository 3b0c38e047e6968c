"""Adoption of the protocol by each party (Procedure C1) and of its standard procedures (C3).

C1: each party's board, or a body it delegates to, approves the protocol; the date, the body
and the minute are the evidence (kept on the organisation, see services/organisations.py).
C3: each party's lead member confirms that each standard procedure (A1–C5) is in place,
with the evidence and the date. The table of parties × procedures shows what is confirmed,
and the ISA lint reads the same rows (``procedure-not-confirmed``, ``supporting-member``).

Both are appended to the ledger in the transaction that records them: the approval by
``services.organisations.record_adoption``, each confirmation here (``adoption:confirmed``,
Procedure C3), with a digest of what was confirmed.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from infoshare.errors import (
    ConflictError,
    InputError,
    PermissionDeniedError,
    UnknownReferenceError,
)
from infoshare.policy.access import Permission
from infoshare.protocol.schema import Membership
from infoshare.services import ledger, organisations
from infoshare.services.access_log import Requester, record_denial
from infoshare.services.adoption_ledger import CONFIRMATION_RECORD, confirmation_digest
from infoshare.services.agreements import authorise, management_refusal
from infoshare.services.clock import now_or
from infoshare.services.organisations import OrganisationView, organisation_by_code
from infoshare.store.models import (
    ClauseKind,
    ClauseRecord,
    OrganisationRecord,
    ProcedureConfirmationRecord,
    StaffRecord,
    StaffRoleRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

#: the role whose holder confirms procedures for a party (Procedure C3)
CONFIRMING_ROLE = "lead-member"


class _ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class AdoptionRow(_ReadModel):
    """One organisation's adoption of the protocol (Procedure C1)."""

    organisation: str
    name: str
    membership: str
    approved_on: date | None
    approving_body: str | None
    minute_reference: str | None


class Confirmation(_ReadModel):
    """A lead member's confirmation that a party follows a procedure (Procedure C3)."""

    organisation: str
    procedure: str
    confirmed_by: str
    confirmed_by_email: str
    confirmed_on: date
    evidence: str


class ProcedureRow(_ReadModel):
    """One party's row of the parties × procedures table."""

    organisation: str
    name: str
    membership: str
    #: by procedure id, the confirmation, or None if not confirmed
    confirmations: dict[str, Confirmation | None]

    @property
    def confirmed(self) -> int:
        return sum(c is not None for c in self.confirmations.values())


class ProcedureTable(_ReadModel):
    """Which party has confirmed which procedure (Procedure C3)."""

    procedures: list[str]
    rows: list[ProcedureRow]


def adoption_table(uow: UnitOfWork) -> list[AdoptionRow]:
    """Every organisation with its approval of the protocol, parties first (Procedure C1)."""
    return [
        AdoptionRow(
            organisation=o.code,
            name=o.name,
            membership=o.membership,
            approved_on=o.adoption.approved_on if o.adoption else None,
            approving_body=o.adoption.approving_body if o.adoption else None,
            minute_reference=o.adoption.minute_reference if o.adoption else None,
        )
        for o in organisations.list_organisations(uow)
    ]


def record_adoption(
    uow: UnitOfWork,
    code: str,
    *,
    approved_on: date,
    approving_body: str,
    minute_reference: str | None = None,
    requester: Requester,
    today: date | None = None,
) -> OrganisationView:
    """Record party ``code``'s approval of the protocol (Procedure C1).

    An approval dated after ``today`` is refused; the rest is checked by
    ``services.organisations.record_adoption`` (supporting members do not adopt; a recorded
    approval is evidence and is not replaced).
    """
    on = today if today is not None else now_or(None).date()
    if approved_on > on:
        raise InputError(
            f"the approval is dated `{approved_on}`, after today ({on}); record it once given",
            field="approved_on",
        )
    what = f"the adoption of the protocol by `{code}`"
    refusal = management_refusal(requester, organisations=[code], what=what)
    if refusal is not None:
        message, clause = refusal
        record_denial(
            uow, requester, action=Permission.AGREEMENTS_MANAGE.value, what=what, why=message,
            clause=clause,
        )  # fmt: skip
        raise PermissionDeniedError(f"{message} ({clause})")
    view = organisations.record_adoption(
        uow,
        code,
        approved_on=approved_on,
        approving_body=approving_body,
        minute_reference=minute_reference,
    )
    return view


def confirm_procedure(
    uow: UnitOfWork,
    *,
    organisation: str,
    procedure: str,
    confirmed_by: str,
    confirmed_on: date,
    evidence: str,
    requester: Requester,
    now: datetime | None = None,
) -> Confirmation:
    """Record that ``organisation``'s lead member (``confirmed_by``, an email) confirms that
    ``procedure`` is in place, with the evidence (Procedure C3).

    Refused: an unknown organisation or procedure; a person who is not a lead member of that
    organisation; a date after today; empty evidence; a second, different confirmation of
    the same procedure (the first is the evidence). The same confirmation again changes
    nothing.
    """
    moment = now_or(now)
    evidence = evidence.strip()
    if not evidence:
        raise InputError(
            "the evidence is empty; say what shows the procedure is in place, e.g. the "
            "policy document and where staff find it",
            field="evidence",
        )
    if confirmed_on > moment.date():
        raise InputError(
            f"the confirmation is dated `{confirmed_on}`, after today ({moment.date()})",
            field="confirmed_on",
        )
    email = confirmed_by.strip().lower()
    with uow:
        session = uow.session
        party = organisation_by_code(session, organisation, field="organisation")
        authorise(
            uow, requester, organisations=[organisation],
            what=f"`{organisation}`'s confirmation of Procedure {procedure}", at=moment,
        )  # fmt: skip
        known = session.scalars(
            select(ClauseRecord.id)
            .where(ClauseRecord.kind == ClauseKind.PROCEDURE.value)
            .order_by(ClauseRecord.id)
        ).all()
        if procedure not in known:
            raise UnknownReferenceError(
                f"`{procedure}` is not a standard procedure of the protocol; use one of "
                f"{', '.join(known)}",
                field="procedure",
            )
        person = session.scalars(select(StaffRecord).where(StaffRecord.email == email)).first()
        if person is None:
            raise UnknownReferenceError(
                f"there is no member of staff with email `{confirmed_by}`", field="confirmed_by"
            )
        is_lead = session.scalar(
            select(StaffRoleRecord.staff_id).where(
                StaffRoleRecord.staff_id == person.id, StaffRoleRecord.role_id == CONFIRMING_ROLE
            )
        )
        if person.organisation_id != party.id or is_lead is None:
            raise InputError(
                f"`{email}` is not a lead member of `{organisation}`; the party's lead member "
                "confirms its procedures (Procedure C3)",
                field="confirmed_by",
            )
        existing = session.scalars(
            select(ProcedureConfirmationRecord).where(
                ProcedureConfirmationRecord.organisation_id == party.id,
                ProcedureConfirmationRecord.procedure_id == procedure,
            )
        ).first()
        if existing is not None:
            same = (existing.confirmed_by_id, existing.confirmed_on, existing.evidence) == (
                person.id,
                confirmed_on,
                evidence,
            )
            if not same:
                raise ConflictError(
                    f"`{organisation}` already confirmed Procedure {procedure} on "
                    f"{existing.confirmed_on}; that confirmation is the evidence and is not "
                    "replaced",
                    field="procedure",
                )
        else:
            session.add(
                ProcedureConfirmationRecord(
                    organisation_id=party.id,
                    procedure_id=procedure,
                    confirmed_by_id=person.id,
                    confirmed_on=confirmed_on,
                    evidence=evidence,
                    recorded_at=moment,
                )
            )
            try:
                uow.flush()
            except IntegrityError as error:  # the same confirmation, recorded a moment ago
                raise ConflictError(
                    f"`{organisation}`'s confirmation of Procedure {procedure} was recorded by "
                    "someone else at the same moment; look at the table and try again",
                    field="procedure",
                ) from error
            ledger.record(
                session,
                ledger.LedgerEvent(
                    time=moment,
                    kind=ledger.EventKind.ADOPTION_CONFIRMED,
                    actor_staff=str(person.id),
                    actor_organisation=party.code,
                    record_digest=confirmation_digest(
                        party.code, procedure, person.id, confirmed_on, evidence
                    ),
                    record_type=CONFIRMATION_RECORD,
                    record_id=f"{party.code}:{procedure}",
                ),
            )
        view = Confirmation(
            organisation=party.code,
            procedure=procedure,
            confirmed_by=person.name,
            confirmed_by_email=person.email,
            confirmed_on=confirmed_on,
            evidence=evidence,
        )
        uow.commit()
    return view


def procedure_table(uow: UnitOfWork) -> ProcedureTable:
    """Organisations × standard procedures, each cell the confirmation or None (C3).

    Parties come first, then supporting members, each by code.
    """
    with uow.reading():
        session = uow.session
        procedures = list(
            session.scalars(
                select(ClauseRecord.id)
                .where(ClauseRecord.kind == ClauseKind.PROCEDURE.value)
                .order_by(ClauseRecord.id)
            )
        )
        found: dict[tuple[str, str], Confirmation] = {}
        for record, code, name, email in session.execute(
            select(
                ProcedureConfirmationRecord,
                OrganisationRecord.code,
                StaffRecord.name,
                StaffRecord.email,
            )
            .join(
                OrganisationRecord,
                ProcedureConfirmationRecord.organisation_id == OrganisationRecord.id,
            )
            .join(StaffRecord, ProcedureConfirmationRecord.confirmed_by_id == StaffRecord.id)
        ):
            found[(code, record.procedure_id)] = Confirmation(
                organisation=code,
                procedure=record.procedure_id,
                confirmed_by=name,
                confirmed_by_email=email,
                confirmed_on=record.confirmed_on,
                evidence=record.evidence,
            )
        ordered = sorted(
            session.execute(
                select(
                    OrganisationRecord.code, OrganisationRecord.name, OrganisationRecord.membership
                )
            ).all(),
            key=lambda o: (o.membership != Membership.PARTY, o.code),
        )
    rows = [
        ProcedureRow(
            organisation=code,
            name=name,
            membership=membership,
            confirmations={p: found.get((code, p)) for p in procedures},
        )
        for code, name, membership in ordered
    ]
    return ProcedureTable(procedures=procedures, rows=rows)
