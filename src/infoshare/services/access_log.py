"""The access log: every read of personal data and every refusal, with who, whom, what, when, why.

Procedure B1 asks partners to audit access to personal information; Principle 12 lets a
service user learn who has seen their record. Services write an entry in the same
transaction as the read they log, so a read that is not logged did not happen. A refusal is
logged and committed on its own before the error reaches the caller.

``Requester`` is who is asking, as every access-controlled service receives it: a member of
staff signed in, another system with an API token, someone not signed in, or the operator
at the server's console (the CLI), who holds the database anyway.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.errors import NotFoundError, PermissionDeniedError
from infoshare.policy.access import (
    PARTY_SCOPED,
    AccessDecision,
    AccessReasonCode,
    Actor,
    Permission,
    access_log_scope,
    authorize,
)
from infoshare.services.clock import now_or
from infoshare.store.models import AccessLogRecord
from infoshare.store.unit_of_work import UnitOfWork

ADDRESS_MAX = 64


class RequesterKind(StrEnum):
    STAFF = "staff"
    API_TOKEN = "api-token"  # noqa: S105 - a kind of requester, not a secret
    ANONYMOUS = "anonymous"
    CONSOLE = "console"
    #: a service user signed in to the portal (Principle 12)
    PORTAL = "portal"


class Outcome(StrEnum):
    READ = "read"
    DENIED = "denied"
    #: an administrator changed an account (Procedure B1: who may reach personal data)
    CHANGED = "changed"


@dataclass(frozen=True)
class Requester:
    """Who is asking, and from where."""

    kind: RequesterKind
    #: the staff email, the token's prefix, or empty
    name: str
    client_address: str
    actor: Actor | None = None

    @property
    def organisation_code(self) -> str | None:
        return self.actor.organisation_code if self.actor is not None else None


def anonymous(client_address: str) -> Requester:
    return Requester(RequesterKind.ANONYMOUS, "", client_address[:ADDRESS_MAX])


#: the operator at the server's console (``infoshare account …``)
CONSOLE = Requester(RequesterKind.CONSOLE, "console", "local")


@dataclass(frozen=True)
class AccessLogEntry:
    at: datetime
    actor_kind: str
    actor: str
    actor_organisation: str | None
    outcome: str
    action: str
    service_user_id: uuid.UUID | None
    what: str
    why: str
    clause: str
    client_address: str


def add_entry(
    session: Session,
    requester: Requester,
    *,
    outcome: Outcome,
    action: str,
    what: str,
    why: str,
    clause: str,
    at: datetime,
    service_user_id: uuid.UUID | None = None,
) -> None:
    """Add one entry to the access log in the caller's transaction."""
    session.add(
        AccessLogRecord(
            at=at,
            actor_kind=requester.kind.value,
            actor=requester.name,
            actor_organisation=requester.organisation_code,
            outcome=outcome.value,
            action=action,
            service_user_id=service_user_id,
            what=what[:1000],
            why=why[:1000],
            clause=clause,
            client_address=requester.client_address[:ADDRESS_MAX],
        )
    )


def record_denial(
    uow: UnitOfWork,
    requester: Requester,
    *,
    action: str,
    what: str,
    why: str,
    clause: str = "Procedure B1",
    service_user_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> None:
    """Log a refusal in a transaction of its own (the refused work itself is never written)."""
    with uow:
        add_entry(
            uow.session,
            requester,
            outcome=Outcome.DENIED,
            action=action,
            what=what,
            why=why,
            clause=clause,
            at=now_or(now),
            service_user_id=service_user_id,
        )
        uow.commit()


def refuse(
    session: Session,
    requester: Requester,
    decision: AccessDecision,
    *,
    what: str,
    at: datetime,
    service_user_id: uuid.UUID | None = None,
) -> PermissionDeniedError | NotFoundError:
    """Log ``decision``'s refusal in the caller's transaction; return the error to raise.

    The caller commits (so the refusal is kept, and nothing else was written) and raises.
    A refusal because the record is another party's is a NotFoundError: the record is not
    acknowledged to exist (Principle 7), though the attempt is logged like any other.
    """
    add_entry(
        session,
        requester,
        outcome=Outcome.DENIED,
        action=decision.permission.value,
        what=what,
        why=decision.message,
        clause=decision.clause,
        at=at,
        service_user_id=service_user_id,
    )
    other_party = decision.reasons and decision.reasons[0].code is AccessReasonCode.OTHER_PARTY
    if other_party and decision.permission in PARTY_SCOPED:
        return NotFoundError(f"there is no {what} here that you may see; check the link")
    return PermissionDeniedError(f"{decision.message} ({decision.clause})")


def audit_entries(
    uow: UnitOfWork, requester: Requester, *, limit: int = 100, now: datetime | None = None
) -> tuple[str | None, list[AccessLogEntry]]:
    """The newest entries the requester may audit, and whose they are (None: everyone's).

    Needs ``access-log:read``; the refusal is logged like any other.
    """
    at = now_or(now)
    decision = authorize(requester.actor, Permission.ACCESS_LOG_READ)
    if not decision.allowed or requester.actor is None:
        with uow:
            error = refuse(uow.session, requester, decision, what="access log", at=at)
            uow.commit()
        raise error
    scope = access_log_scope(requester.actor)
    query = select(AccessLogRecord).order_by(AccessLogRecord.at.desc()).limit(limit)
    if scope is not None:
        query = query.where(AccessLogRecord.actor_organisation == scope)
    with uow.reading():
        return scope, [_entry(r) for r in uow.session.scalars(query)]


def _entry(r: AccessLogRecord) -> AccessLogEntry:
    return AccessLogEntry(
        at=r.at,
        actor_kind=r.actor_kind,
        actor=r.actor,
        actor_organisation=r.actor_organisation,
        outcome=r.outcome,
        action=r.action,
        service_user_id=r.service_user_id,
        what=r.what,
        why=r.why,
        clause=r.clause,
        client_address=r.client_address,
    )


def recent_entries(
    uow: UnitOfWork,
    *,
    limit: int = 100,
    service_user_id: uuid.UUID | None = None,
    outcome: Outcome | None = None,
) -> list[AccessLogEntry]:
    """The newest entries first. For the console and the audit pages behind ``access-log:read``."""
    query = select(AccessLogRecord).order_by(AccessLogRecord.at.desc()).limit(limit)
    if service_user_id is not None:
        query = query.where(AccessLogRecord.service_user_id == service_user_id)
    if outcome is not None:
        query = query.where(AccessLogRecord.outcome == outcome.value)
    with uow.reading():
        return [_entry(r) for r in uow.session.scalars(query)]


__all__ = [
    "CONSOLE",
    "AccessLogEntry",
    "Outcome",
    "Permission",
    "Requester",
    "RequesterKind",
    "add_entry",
    "anonymous",
    "audit_entries",
    "recent_entries",
    "record_denial",
    "refuse",
]
