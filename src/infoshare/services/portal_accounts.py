"""Portal accounts of service users: invitations, redeeming one, signing in and out.

Principle 12 (people can gain access to the information held about them) and Procedure B1
(only identified people reach personal information). A service user cannot sign themselves
up: a member of staff of a party that holds them (``service-users:write`` over that person)
issues an invitation, a one-time code valid for ``INVITATION_VALID``; the person redeems it
once by choosing the email address they will sign in with and a password (argon2id, as for
staff). The code and the session cookie are stored only as SHA-256 digests. A newer
invitation replaces any earlier one not yet redeemed; redeeming one when the person already
has an account sets a new address and password and ends every portal session (a forgotten
password is mended the same way).

Portal sessions are a kind of their own (``portal_sessions``, cookie
``__Host-infoshare-portal``): they reach only ``/portal/*``, and staff sessions never reach
it. They share the staff sessions' timeouts and sign-in throttling (failed attempts are
counted in the same table, per address typed and per client address), and the same answer
for an unknown address and a wrong password.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.errors import AuthenticationError, ConflictError, InputError, SignInThrottledError
from infoshare.policy.access import Permission, PortalPrincipal, authorize
from infoshare.services.access_log import Outcome, Requester, RequesterKind, add_entry, refuse
from infoshare.services.accounts import (
    EMAIL_MAX,
    PASSWORD_MAX,
    check_new_password,
    hash_password,
    verify_password,
)
from infoshare.services.clock import now_or

# The throttle and the attempts table are the staff sign-in's own, reused so that one limit
# covers guessing at either door.
from infoshare.services.sessions import (
    ADDRESS_MAX,
    TOUCH_EVERY,
    SessionPolicy,
    check_throttle,
    hash_token,
    record_attempt,
)
from infoshare.store.models import (
    LocalIdentifierRecord,
    OrganisationRecord,
    PortalAccountRecord,
    PortalInvitationRecord,
    PortalSessionRecord,
    ServiceUserRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

#: how long an invitation may wait to be redeemed
INVITATION_VALID = timedelta(days=14)
#: the code's length once typed without its dashes: 16 base32 letters, 80 random bits
CODE_LETTERS = 16
CODE_MAX = 64
WRONG_CREDENTIALS = (
    "the email address or the password is not right; check both and try again, or ask the "
    "organisation that invited you for a new invitation"
)
WRONG_INVITATION = (
    "this invitation code is not right, has been used or has expired; check it, or ask the "
    "organisation that gave it to you for a new one"
)
SESSION_ENDED = "your session has ended; sign in again"


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation just issued: ``code`` is shown once to staff and never stored."""

    code: str
    expires_at: datetime
    service_user_id: uuid.UUID
    given_name: str
    family_name: str


@dataclass(frozen=True)
class PortalSignedIn:
    """A live portal session and the service user it belongs to."""

    session_id: uuid.UUID
    account_id: uuid.UUID
    service_user_id: uuid.UUID
    email: str
    given_name: str
    family_name: str
    started_at: datetime
    needs_touch: bool = False

    @property
    def principal(self) -> PortalPrincipal:
        return PortalPrincipal(str(self.service_user_id), str(self.account_id))

    def requester(self, client_address: str) -> Requester:
        # No Actor: a portal requester is refused by every staff permission (Procedure B1).
        return Requester(RequesterKind.PORTAL, self.email, client_address[:ADDRESS_MAX])


@dataclass(frozen=True)
class NewPortalSession:
    token: str
    signed_in: PortalSignedIn


def new_code() -> str:
    """A fresh code, in groups of four letters people can read out and type."""
    letters = base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:CODE_LETTERS]
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LETTERS, 4))


def normalise_code(code: str) -> str:
    """The code as stored before hashing: capitals, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _holds(session: Session, organisation_code: str, service_user_id: uuid.UUID) -> bool:
    return (
        session.scalars(
            select(LocalIdentifierRecord.id)
            .join(
                OrganisationRecord, OrganisationRecord.id == LocalIdentifierRecord.organisation_id
            )
            .where(
                LocalIdentifierRecord.service_user_id == service_user_id,
                OrganisationRecord.code == organisation_code,
            )
            .limit(1)
        ).first()
        is not None
    )


def issue_invitation(
    uow: UnitOfWork,
    requester: Requester,
    service_user_id: uuid.UUID,
    *,
    now: datetime | None = None,
    valid_for: timedelta = INVITATION_VALID,
) -> IssuedInvitation:
    """Invite the service user to the portal; staff of a party holding them only (B1).

    Another party's service user, or one who does not exist, is NotFoundError (logged), as
    everywhere else: the record is not acknowledged to exist (Principle 7).
    """
    at = now_or(now)
    what = "portal invitation for a service user"
    with uow:
        session = uow.session
        code = requester.organisation_code
        person = session.get(ServiceUserRecord, service_user_id)
        owner = code if person is not None and code and _holds(session, code, person.id) else None
        decision = authorize(requester.actor, Permission.SERVICE_USERS_WRITE, owner)
        if not decision.allowed or person is None or requester.actor is None:
            error = refuse(
                session,
                requester,
                decision,
                what=what,
                at=at,
                service_user_id=person.id if person is not None else None,
            )
            uow.commit()
            raise error
        session.execute(
            update(PortalInvitationRecord)
            .where(
                PortalInvitationRecord.service_user_id == person.id,
                PortalInvitationRecord.redeemed_at.is_(None),
                PortalInvitationRecord.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        plain = new_code()
        session.add(
            PortalInvitationRecord(
                service_user_id=person.id,
                code_hash=hash_token(normalise_code(plain)),
                issued_by=requester.name[:254],
                issued_by_organisation=requester.actor.organisation_code,
                issued_at=at,
                expires_at=at + valid_for,
                redeemed_at=None,
                revoked_at=None,
            )
        )
        add_entry(
            session,
            requester,
            outcome=Outcome.READ,
            action=Permission.SERVICE_USERS_WRITE.value,
            what=what,
            why="issued a portal invitation",
            clause="Principle 12",
            at=at,
            service_user_id=person.id,
        )
        issued = IssuedInvitation(
            plain, at + valid_for, person.id, person.given_name, person.family_name
        )
        uow.commit()
    return issued


def _check_email(email: str) -> str:
    address = email.strip().lower()
    if not address or len(address) > EMAIL_MAX or "@" not in address.strip("@"):
        raise InputError(
            f"`{email[:60]}` is not an email address; type the address you will sign in with",
            field="email",
        )
    return address


def _new_session(
    session: Session, account: PortalAccountRecord, client_address: str, at: datetime
) -> NewPortalSession:
    token = secrets.token_urlsafe(32)
    record = PortalSessionRecord(
        account_id=account.id,
        token_hash=hash_token(token),
        client_address=client_address[:ADDRESS_MAX],
        created_at=at,
        last_seen_at=at,
        ended_at=None,
    )
    session.add(record)
    session.flush()
    return NewPortalSession(token, _signed_in(session, record, account, at, touch=False))


def _signed_in(
    session: Session,
    record: PortalSessionRecord,
    account: PortalAccountRecord,
    at: datetime,
    *,
    touch: bool,
) -> PortalSignedIn:
    person = session.get_one(ServiceUserRecord, account.service_user_id)
    return PortalSignedIn(
        session_id=record.id,
        account_id=account.id,
        service_user_id=person.id,
        email=account.email,
        given_name=person.given_name,
        family_name=person.family_name,
        started_at=record.created_at,
        needs_touch=touch and at - record.last_seen_at >= TOUCH_EVERY,
    )


def _end_sessions(session: Session, account_id: uuid.UUID, reason: str, at: datetime) -> None:
    session.execute(
        update(PortalSessionRecord)
        .where(PortalSessionRecord.account_id == account_id, PortalSessionRecord.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )


def redeem_invitation(
    uow: UnitOfWork,
    *,
    code: str,
    email: str,
    password: str,
    requester: Requester,
    now: datetime | None = None,
) -> NewPortalSession:
    """Redeem ``code`` once: make (or renew) the person's portal account and sign them in.

    A wrong, used, replaced or expired code is AuthenticationError (logged), all with the same
    words; a bad address or password is InputError; nothing is changed by either.
    """
    at = now_or(now)
    address = _check_email(email)
    check_new_password(password)
    plain = normalise_code(code[:CODE_MAX])
    password_hash = hash_password(password)
    with uow:
        session = uow.session
        invitation = session.scalars(
            select(PortalInvitationRecord).where(
                PortalInvitationRecord.code_hash == hash_token(plain)
            )
        ).one_or_none()
        if (
            invitation is None
            or invitation.redeemed_at is not None
            or invitation.revoked_at is not None
            or invitation.expires_at <= at
        ):
            add_entry(
                session,
                requester,
                outcome=Outcome.DENIED,
                action="portal:redeem-invitation",
                what="portal invitation",
                why="wrong, used, replaced or expired invitation code",
                clause="Procedure B1",
                at=at,
                service_user_id=invitation.service_user_id if invitation else None,
            )
            uow.commit()
            raise AuthenticationError(WRONG_INVITATION, field="code")
        account = session.scalars(
            select(PortalAccountRecord).where(
                PortalAccountRecord.service_user_id == invitation.service_user_id
            )
        ).one_or_none()
        if account is None:
            account = PortalAccountRecord(
                service_user_id=invitation.service_user_id,
                email=address,
                password_hash=password_hash,
                disabled_at=None,
                password_changed_at=at,
                created_at=at,
            )
            session.add(account)
        else:
            account.email, account.password_hash = address, password_hash
            account.password_changed_at, account.disabled_at = at, None
            _end_sessions(session, account.id, "password-reset", at)
        invitation.redeemed_at = at
        try:
            session.flush()
        except IntegrityError as exc:
            raise ConflictError(
                f"`{address}` is already used by another portal account; use another address",
                field="email",
            ) from exc
        new = _new_session(session, account, requester.client_address, at)
        uow.commit()
    return new


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    requester: Requester,
    policy: SessionPolicy,
    previous_token: str | None = None,
    now: datetime | None = None,
) -> NewPortalSession:
    """Check the password and start a portal session; the same error whatever was wrong."""
    address = email.strip().lower()
    if not address or len(address) > EMAIL_MAX or len(password) > PASSWORD_MAX:
        raise InputError(
            "the email address or the password is too long or empty; check what you typed",
            field="email",
        )
    at = now_or(now)
    failure: AuthenticationError
    with uow:
        session = uow.session
        try:
            check_throttle(session, policy, address, requester, at)
        except SignInThrottledError as throttled:
            uow.commit()
            raise throttled from None
        account = session.scalars(
            select(PortalAccountRecord).where(PortalAccountRecord.email == address)
        ).one_or_none()
        ok = verify_password(account.password_hash if account else None, password)
        ok = ok and account is not None and account.disabled_at is None
        record_attempt(session, address, requester, ok, at)
        if not ok or account is None:
            uow.commit()
            failure = AuthenticationError(WRONG_CREDENTIALS, field="email")
        else:
            if previous_token:
                session.execute(
                    update(PortalSessionRecord)
                    .where(
                        PortalSessionRecord.token_hash == hash_token(previous_token[:128]),
                        PortalSessionRecord.ended_at.is_(None),
                    )
                    .values(ended_at=at, end_reason="rotated")
                )
            new = _new_session(session, account, requester.client_address, at)
            uow.commit()
            return new
    raise failure


def current_session(
    uow: UnitOfWork, token: str | None, *, policy: SessionPolicy, now: datetime | None = None
) -> PortalSignedIn:
    """The live portal session ``token`` names; AuthenticationError if none (read-only)."""
    at = now_or(now)
    if not token or len(token) > 128:
        raise AuthenticationError(SESSION_ENDED)
    with uow.reading():
        session = uow.session
        record = session.scalars(
            select(PortalSessionRecord).where(PortalSessionRecord.token_hash == hash_token(token))
        ).one_or_none()
        if record is None or record.ended_at is not None:
            raise AuthenticationError(SESSION_ENDED)
        account = session.get_one(PortalAccountRecord, record.account_id)
        if (
            at - record.created_at >= policy.absolute
            or at - record.last_seen_at >= policy.idle
            or account.disabled_at is not None
        ):
            raise AuthenticationError(SESSION_ENDED)
        return _signed_in(session, record, account, at, touch=True)


def keep_alive(uow: UnitOfWork, signed_in: PortalSignedIn, *, now: datetime | None = None) -> None:
    """Record that the portal session was used now, so its idle timeout starts again."""
    at = now_or(now)
    with uow:
        uow.session.execute(
            update(PortalSessionRecord)
            .where(
                PortalSessionRecord.id == signed_in.session_id,
                PortalSessionRecord.ended_at.is_(None),
            )
            .values(last_seen_at=at)
        )
        uow.commit()


def sign_out(uow: UnitOfWork, token: str | None, *, now: datetime | None = None) -> int:
    """End every portal session of the account ``token`` belongs to; how many were live."""
    if not token or len(token) > 128:
        return 0
    at = now_or(now)
    with uow:
        record = uow.session.scalars(
            select(PortalSessionRecord).where(PortalSessionRecord.token_hash == hash_token(token))
        ).one_or_none()
        if record is None:
            return 0
        result = uow.session.execute(
            update(PortalSessionRecord)
            .where(
                PortalSessionRecord.account_id == record.account_id,
                PortalSessionRecord.ended_at.is_(None),
            )
            .values(ended_at=at, end_reason="signed-out")
        )
        uow.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def create_portal_account(
    uow: UnitOfWork,
    *,
    service_user_id: uuid.UUID,
    email: str,
    password: str,
    now: datetime | None = None,
) -> uuid.UUID:
    """Give a service user a portal account at once, from the console (the demo uses it)."""
    at = now_or(now)
    address = _check_email(email)
    check_new_password(password)
    password_hash = hash_password(password)
    with uow:
        account = PortalAccountRecord(
            service_user_id=service_user_id,
            email=address,
            password_hash=password_hash,
            disabled_at=None,
            password_changed_at=at,
            created_at=at,
        )
        uow.session.add(account)
        try:
            uow.session.flush()
        except IntegrityError as exc:
            raise ConflictError(
                f"`{address}` or this service user already has a portal account",
                field="email",
            ) from exc
        account_id = account.id
        uow.commit()
    return account_id
