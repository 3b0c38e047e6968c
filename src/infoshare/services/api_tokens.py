"""API tokens: how another system (an EHR, a case system) acts for one party over the API.

Procedure B1 for systems: a token is issued to one party with a set of permissions (never
more than ``TOKEN_PERMISSIONS`` allows), presented as ``Authorization: Bearer``, stored only
as its SHA-256, shown once at creation, and revocable at once. Everything a token reads is
logged in the access log like a person's reads.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from infoshare.errors import AuthenticationError, InputError, NotFoundError
from infoshare.policy.access import TOKEN_PERMISSIONS, Actor, Permission, authorize
from infoshare.services.access_log import Requester, RequesterKind, refuse
from infoshare.services.clock import now_or
from infoshare.services.database import Database
from infoshare.services.organisations import organisation_by_code
from infoshare.store.models import ApiTokenRecord, OrganisationRecord
from infoshare.store.unit_of_work import UnitOfWork

#: every token starts so, which lets secret scanners recognise a leaked one
TOKEN_PREFIX = "isk_"  # noqa: S105 - a marker, not a secret
NAME_MAX = 100
TOKEN_MAX = 128
TOUCH_EVERY = timedelta(minutes=5)
INVALID_TOKEN = (
    "the API token is not valid: it is unknown, revoked or mistyped; send "  # noqa: S105
    "`Authorization: Bearer <token>` with a token your administrator issued"
)


_TOKENS = ApiTokenRecord.__table__
_ORGANISATIONS = OrganisationRecord.__table__
_TOKEN_BY_HASH = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.prefix,
        _TOKENS.c.permissions,
        _TOKENS.c.last_used_at,
        _TOKENS.c.revoked_at,
        _ORGANISATIONS.c.code,
    )
    .join(_ORGANISATIONS, _ORGANISATIONS.c.id == _TOKENS.c.organisation_id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"))
)
#: Actors of tokens seen, by token id; cleared when full (a token's actor never changes)
ACTORS_KEPT = 1024
_actors: dict[uuid.UUID, Actor] = {}


@dataclass(frozen=True)
class ApiTokenView:
    id: uuid.UUID
    organisation_code: str
    name: str
    prefix: str
    permissions: tuple[str, ...]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A token just made; ``token`` is shown once and never stored."""

    token: str
    view: ApiTokenView


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _view(record: ApiTokenRecord, code: str) -> ApiTokenView:
    return ApiTokenView(
        id=record.id,
        organisation_code=code,
        name=record.name,
        prefix=record.prefix,
        permissions=tuple(sorted(record.permissions)),
        created_by=record.created_by,
        created_at=record.created_at,
        last_used_at=record.last_used_at,
        revoked_at=record.revoked_at,
    )


def parse_permissions(values: Iterable[str]) -> frozenset[Permission]:
    """The permissions named; InputError for one a token may not hold."""
    wanted = {v.strip() for v in values if v.strip()}
    allowed = {p.value for p in TOKEN_PERMISSIONS}
    wrong = sorted(wanted - allowed)
    if wrong:
        known = ", ".join(f"`{p}`" for p in sorted(allowed))
        raise InputError(
            f"an API token cannot hold `{wrong[0]}`; choose from {known}", field="permissions"
        )
    if not wanted:
        raise InputError("give the token at least one permission", field="permissions")
    return frozenset(Permission(v) for v in wanted)


def _refusal(
    session: Session, requester: Requester, organisation_code: str, at: datetime
) -> Exception | None:
    """The logged refusal if ``requester`` may not manage the party's tokens; else None."""
    if requester.kind is RequesterKind.CONSOLE:
        return None
    decision = authorize(requester.actor, Permission.API_TOKENS_MANAGE, organisation_code)
    if decision.allowed:
        return None
    return refuse(session, requester, decision, what="API tokens", at=at)


def issue_api_token(
    uow: UnitOfWork,
    requester: Requester,
    *,
    organisation_code: str,
    name: str,
    permissions: Iterable[str],
    now: datetime | None = None,
) -> IssuedToken:
    """A new token for ``organisation_code`` with ``permissions``; shown once."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InputError(
            f"give the token a name of 1 to {NAME_MAX} characters, e.g. the system using it",
            field="name",
        )
    granted = parse_permissions(permissions)
    at = now_or(now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with uow:
        session = uow.session
        organisation = organisation_by_code(session, organisation_code, field="organisation")
        refusal = _refusal(session, requester, organisation.code, at)
        if refusal is not None:
            uow.commit()
            raise refusal
        record = ApiTokenRecord(
            organisation_id=organisation.id,
            name=name,
            prefix=token[: len(TOKEN_PREFIX) + 6],
            token_hash=_hash(token),
            permissions=sorted(p.value for p in granted),
            created_by=requester.name,
            created_at=at,
            last_used_at=None,
            revoked_at=None,
        )
        session.add(record)
        uow.flush()
        view = _view(record, organisation.code)
        uow.commit()
    return IssuedToken(token, view)


def list_api_tokens(
    uow: UnitOfWork, requester: Requester, organisation_code: str
) -> list[ApiTokenView]:
    """The party's tokens, newest first, revoked ones included (never the secrets)."""
    at = now_or(None)
    with uow:
        session = uow.session
        organisation = organisation_by_code(session, organisation_code, field="organisation")
        refusal = _refusal(session, requester, organisation.code, at)
        if refusal is not None:
            uow.commit()
            raise refusal
        records = session.scalars(
            select(ApiTokenRecord)
            .where(ApiTokenRecord.organisation_id == organisation.id)
            .order_by(ApiTokenRecord.created_at.desc())
        )
        return [_view(r, organisation.code) for r in records]


def revoke_api_token(
    uow: UnitOfWork, requester: Requester, token_id: uuid.UUID, *, now: datetime | None = None
) -> ApiTokenView:
    """Revoke a token at once; revoking it again changes nothing."""
    at = now_or(now)
    with uow:
        session = uow.session
        row = session.execute(
            select(ApiTokenRecord, OrganisationRecord.code)
            .join(OrganisationRecord)
            .where(ApiTokenRecord.id == token_id)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"there is no API token `{token_id}`", field="token")
        record, code = row
        refusal = _refusal(session, requester, code, at)
        if refusal is not None:
            uow.commit()
            raise refusal
        if record.revoked_at is None:
            record.revoked_at = at
        view = _view(record, code)
        uow.commit()
    return view


def check_token(
    database: Database, token: str, *, client_address: str, now: datetime | None = None
) -> tuple[Requester, bool]:
    """The requester a bearer token stands for, and whether its last use is due to be
    written; AuthenticationError if it is not a live token. Only reads, one indexed row."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        raise AuthenticationError(INVALID_TOKEN)
    at = now_or(now)
    # One Core statement by the unique token_hash, read on every call: a token revoked in
    # any process is refused from the next request on. Only the Actor built from the row
    # (a token's party and permissions never change) is kept between calls.
    with database.reading() as connection:
        row = connection.execute(_TOKEN_BY_HASH, {"token_hash": _hash(token)}).first()
    if row is None or row.revoked_at is not None:
        raise AuthenticationError(INVALID_TOKEN)
    token_id, prefix, last_used_at = row.id, row.prefix, row.last_used_at
    stale = last_used_at is None or at - last_used_at >= TOUCH_EVERY
    actor = _actors.get(token_id)
    if actor is None:
        actor = Actor(
            organisation_code=row.code,
            token_permissions=frozenset(Permission(p) for p in row.permissions),
            reference=prefix,
        )
        if len(_actors) >= ACTORS_KEPT:
            _actors.clear()
        _actors[token_id] = actor
    requester = Requester(RequesterKind.API_TOKEN, prefix, client_address[:64], actor)
    return requester, stale


def authenticate_token(
    database: Database, token: str, *, client_address: str, now: datetime | None = None
) -> Requester:
    """The requester a bearer token stands for; AuthenticationError if it is not a live token.

    Checking a token only reads, so API calls never queue for the write lock to do it; the
    time of last use is written in a transaction of its own, at most every ``TOUCH_EVERY``.
    """
    at = now_or(now)
    requester, stale = check_token(database, token, client_address=client_address, now=at)
    if stale:
        with database.unit_of_work() as uow:
            uow.session.execute(
                update(ApiTokenRecord)
                .where(
                    ApiTokenRecord.token_hash == _hash(token), ApiTokenRecord.revoked_at.is_(None)
                )
                .values(last_used_at=at)
            )
            uow.commit()
    return requester
