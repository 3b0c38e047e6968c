"""Signing in and out: server-side sessions, the second factor, timeouts and throttling.

Procedure B1 (only identified staff reach personal information). A session is a random
256-bit token in a cookie; the database keeps only its SHA-256, so a copy of the database
signs nobody in. Signing in makes a new token (any session the browser held before is
ended), and so does passing the second factor: a token seen before sign-in is worth nothing
after. A session ends after ``idle`` without use or ``absolute`` after it began, at sign-out
(every session of the account), and when the account is disabled or its password reset.

Failed sign-ins are counted per account and per client address over a window; past the
limit, sign-in is refused for a while without checking the password. An unknown address and
a wrong password get the same error after the same work (a dummy hash is verified).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from infoshare.domain import totp
from infoshare.errors import AuthenticationError, InputError, SignInThrottledError
from infoshare.policy.access import Actor
from infoshare.services.access_log import Outcome, Requester, RequesterKind, add_entry
from infoshare.services.accounts import (
    EMAIL_MAX,
    PASSWORD_MAX,
    AccountView,
    account_view,
    end_sessions,
    new_totp_secret,
    verify_password,
)
from infoshare.services.clock import now_or
from infoshare.settings import Settings
from infoshare.store.models import (
    AccountRecord,
    SignInAttemptRecord,
    StaffRecord,
    WebSessionRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

#: the same words for an unknown address, a wrong password and a disabled account
WRONG_CREDENTIALS = (
    "the email address or the password is not right; check both and try again, or ask "
    "your organisation's administrator to reset your password"
)
WRONG_CODE = (
    "the code is not right; type the six digits your authenticator app shows now "
    "(each code works once)"
)
SESSION_ENDED = "your session has ended; sign in again"
#: how stale ``last_seen_at`` may be before a request writes it again
TOUCH_EVERY = timedelta(seconds=60)
ADDRESS_MAX = 64


class Stage(StrEnum):
    """How far a session has got. Only ``signed-in`` reaches anything but the sign-in steps."""

    SECOND_FACTOR = "second-factor"
    ENROL_SECOND_FACTOR = "enrol-second-factor"
    SIGNED_IN = "signed-in"


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    max_failures: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
            max_failures=settings.sign_in_max_failures,
            max_failures_per_address=settings.sign_in_max_failures_per_address,
            window=timedelta(minutes=settings.sign_in_window_minutes),
        )


@dataclass(frozen=True)
class SignedIn:
    """A live session and the person it belongs to."""

    session_id: uuid.UUID
    stage: Stage
    account: AccountView
    started_at: datetime
    #: the last use was recorded over a minute ago: ``keep_alive`` should record this one
    needs_touch: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(
            organisation_code=self.account.organisation_code,
            roles=frozenset(self.account.roles),
            reference=self.account.email,
        )

    def requester(self, client_address: str) -> Requester:
        return Requester(
            RequesterKind.STAFF, self.account.email, client_address[:ADDRESS_MAX], self.actor
        )


@dataclass(frozen=True)
class NewSession:
    """A session just made: ``token`` goes in the cookie and is never stored."""

    token: str
    signed_in: SignedIn


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_session(
    session: Session, account: AccountRecord, stage: Stage, client_address: str, at: datetime
) -> NewSession:
    token = secrets.token_urlsafe(32)
    record = WebSessionRecord(
        account_id=account.id,
        token_hash=hash_token(token),
        stage=stage.value,
        client_address=client_address[:ADDRESS_MAX],
        created_at=at,
        last_seen_at=at,
        ended_at=None,
    )
    session.add(record)
    session.flush()
    view = SignedIn(record.id, stage, account_view(session, account), at)
    return NewSession(token, view)


def _end_presented(session: Session, token: str | None, reason: str, at: datetime) -> None:
    if not token:
        return
    record = session.scalars(
        select(WebSessionRecord).where(WebSessionRecord.token_hash == hash_token(token))
    ).one_or_none()
    if record is not None and record.ended_at is None:
        record.ended_at, record.end_reason = at, reason


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> list[datetime]:
    # Failures since the last success of this account or address, within the window.
    last_success = session.scalar(
        select(func.max(SignInAttemptRecord.at)).where(
            column == value,
            SignInAttemptRecord.succeeded.is_(True),
        )
    )
    start = max(since, last_success) if last_success is not None else since
    return list(
        session.scalars(
            select(SignInAttemptRecord.at)
            .where(
                column == value,
                SignInAttemptRecord.succeeded.is_(False),
                SignInAttemptRecord.at > start,
            )
            .order_by(SignInAttemptRecord.at)
        )
    )


def check_throttle(
    session: Session,
    policy: SessionPolicy,
    email: str,
    requester: Requester,
    at: datetime,
) -> None:
    """Refuse a sign-in (logged in ``session``) after too many recent failures (Procedure B1).

    Counted per account and per client address over ``policy.window``; the portal's sign-in
    uses it too, so both doors are throttled alike.
    """
    since = at - policy.window
    by_account = _failures(session, SignInAttemptRecord.email, email, since)
    by_address = _failures(
        session, SignInAttemptRecord.client_address, requester.client_address, since
    )
    blocking = [
        failures[-limit]
        for failures, limit in (
            (by_account, policy.max_failures),
            (by_address, policy.max_failures_per_address),
        )
        if len(failures) >= limit
    ]
    if not blocking:
        return
    retry = max(math.ceil((max(blocking) + policy.window - at).total_seconds()), 1)
    minutes = -(-retry // 60)
    add_entry(
        session,
        requester,
        outcome=Outcome.DENIED,
        action="sign-in",
        what=f"sign-in as `{email}`",
        why="too many failed sign-ins; throttled",
        clause="Procedure B1",
        at=at,
    )
    raise SignInThrottledError(
        f"too many failed attempts to sign in; wait {minutes} minute"
        f"{'s' if minutes != 1 else ''} and try again, or ask your administrator for help",
        retry_after_seconds=retry,
    )


def record_attempt(
    session: Session, email: str, requester: Requester, ok: bool, at: datetime
) -> None:
    """Note one sign-in attempt, the facts ``check_throttle`` counts (staff and portal alike)."""
    session.add(
        SignInAttemptRecord(
            email=email, client_address=requester.client_address, at=at, succeeded=ok
        )
    )


def _usable_account(session: Session, email: str) -> AccountRecord | None:
    row = session.execute(
        select(AccountRecord, StaffRecord.active)
        .join(StaffRecord, AccountRecord.staff_id == StaffRecord.id)
        .where(StaffRecord.email == email)
    ).one_or_none()
    return row[0] if row is not None else None


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    requester: Requester,
    policy: SessionPolicy,
    previous_token: str | None = None,
    now: datetime | None = None,
) -> NewSession:
    """Check the password and start a session (at the second-factor step if one is due).

    AuthenticationError with the same message whatever was wrong; SignInThrottledError past
    the limits. The session the browser held before (``previous_token``) is ended.
    """
    address = email.strip().lower()
    if not address or len(address) > EMAIL_MAX or len(password) > PASSWORD_MAX:
        raise InputError(
            "the email address or the password is too long or empty; check what you typed",
            field="email",
        )
    at = now_or(now)
    failure: AuthenticationError | None = None
    with uow:
        session = uow.session
        try:
            check_throttle(session, policy, address, requester, at)
        except SignInThrottledError as throttled:
            uow.commit()
            failure = throttled
        else:
            account = _usable_account(session, address)
            ok = verify_password(account.password_hash if account else None, password)
            if account is not None and ok and account_view(session, account).disabled:
                ok = False
            record_attempt(session, address, requester, ok, at)
            if not ok or account is None:
                uow.commit()
                failure = AuthenticationError(WRONG_CREDENTIALS, field="email")
            else:
                _end_presented(session, previous_token, "rotated", at)
                _sweep(session, account.id, policy, at)
                view = account_view(session, account)
                if view.second_factor_enrolled:
                    stage = Stage.SECOND_FACTOR
                elif view.second_factor_required:
                    stage = Stage.ENROL_SECOND_FACTOR
                else:
                    stage = Stage.SIGNED_IN
                new = _new_session(session, account, stage, requester.client_address, at)
                uow.commit()
                return new
    assert failure is not None
    raise failure


def start_verified_session(
    session: Session,
    account: AccountRecord,
    *,
    second_factor_done: bool,
    requester: Requester,
    policy: SessionPolicy,
    previous_token: str | None,
    at: datetime,
) -> NewSession:
    """Start a session for an account whose holder was identified elsewhere (an OIDC provider).

    In the caller's transaction. The same rotation, sweep and stages as ``sign_in``: the
    second factor is asked for unless ``second_factor_done`` (the provider asserted one).
    """
    view = account_view(session, account)
    record_attempt(session, view.email, requester, True, at)
    _end_presented(session, previous_token, "rotated", at)
    _sweep(session, account.id, policy, at)
    if second_factor_done:
        stage = Stage.SIGNED_IN
    elif view.second_factor_enrolled:
        stage = Stage.SECOND_FACTOR
    elif view.second_factor_required:
        stage = Stage.ENROL_SECOND_FACTOR
    else:
        stage = Stage.SIGNED_IN
    return _new_session(session, account, stage, requester.client_address, at)


def _live(
    session: Session, token: str | None, policy: SessionPolicy, at: datetime, *, mark: bool = True
) -> tuple[WebSessionRecord, AccountRecord]:
    """The live session and its account; AuthenticationError (marking why, if ``mark``) if none."""
    if not token or len(token) > 128:
        raise AuthenticationError(SESSION_ENDED)
    record = session.scalars(
        select(WebSessionRecord).where(WebSessionRecord.token_hash == hash_token(token))
    ).one_or_none()
    if record is None or record.ended_at is not None:
        raise AuthenticationError(SESSION_ENDED)
    account = session.get_one(AccountRecord, record.account_id)
    reason = None
    if at - record.created_at >= policy.absolute:
        reason = "absolute-timeout"
    elif at - record.last_seen_at >= policy.idle:
        reason = "idle-timeout"
    elif account_view(session, account).disabled:
        reason = "disabled"
    if reason is not None:
        if mark:
            record.ended_at, record.end_reason = at, reason
        raise AuthenticationError(SESSION_ENDED)
    return record, account


def _sweep(session: Session, account_id: uuid.UUID, policy: SessionPolicy, at: datetime) -> None:
    """Record why the account's sessions that timed out have ended (they already count as ended)."""
    live = (WebSessionRecord.account_id == account_id, WebSessionRecord.ended_at.is_(None))
    session.execute(
        update(WebSessionRecord)
        .where(*live, WebSessionRecord.created_at <= at - policy.absolute)
        .values(ended_at=at, end_reason="absolute-timeout")
    )
    session.execute(
        update(WebSessionRecord)
        .where(*live, WebSessionRecord.last_seen_at <= at - policy.idle)
        .values(ended_at=at, end_reason="idle-timeout")
    )


def current_session(
    uow: UnitOfWork, token: str | None, *, policy: SessionPolicy, now: datetime | None = None
) -> SignedIn:
    """The live session ``token`` names; AuthenticationError if it has ended.

    Read-only, so a page view never waits for a writer; when ``needs_touch`` is set, the
    caller keeps the session alive with ``keep_alive`` (at most once a minute).
    """
    at = now_or(now)
    with uow.reading():
        record, account = _live(uow.session, token, policy, at, mark=False)
        return SignedIn(
            record.id,
            Stage(record.stage),
            account_view(uow.session, account),
            record.created_at,
            needs_touch=at - record.last_seen_at >= TOUCH_EVERY,
        )


def keep_alive(uow: UnitOfWork, signed_in: SignedIn, *, now: datetime | None = None) -> None:
    """Record that the session was used now, so its idle timeout starts again."""
    at = now_or(now)
    with uow:
        uow.session.execute(
            update(WebSessionRecord)
            .where(WebSessionRecord.id == signed_in.session_id, WebSessionRecord.ended_at.is_(None))
            .values(last_seen_at=at)
        )
        uow.commit()


def _accept_code(account: AccountRecord, secret: str, code: str, at: datetime) -> bool:
    step = totp.matching_step(secret, code, at.timestamp())
    if step is None or (account.totp_last_step is not None and step <= account.totp_last_step):
        return False
    account.totp_last_step = step
    return True


def pass_second_factor(
    uow: UnitOfWork,
    token: str | None,
    code: str,
    *,
    requester: Requester,
    policy: SessionPolicy,
    now: datetime | None = None,
) -> NewSession:
    """Check the TOTP code of a session at the second-factor step; a new session if right.

    A wrong code counts as a failed sign-in for throttling, and changes nothing else.
    """
    at = now_or(now)
    failure: AuthenticationError | None = None
    with uow:
        session = uow.session
        record, account = _live(session, token, policy, at)
        email = account_view(session, account).email
        if record.stage != Stage.SECOND_FACTOR or account.totp_secret is None:
            raise AuthenticationError("there is no second factor to check; sign in again")
        try:
            check_throttle(session, policy, email, requester, at)
        except SignInThrottledError as throttled:
            uow.commit()
            raise throttled from None
        if not _accept_code(account, account.totp_secret, code, at):
            record_attempt(session, email, requester, False, at)
            uow.commit()
            failure = AuthenticationError(WRONG_CODE, field="code")
        else:
            record_attempt(session, email, requester, True, at)
            record.ended_at, record.end_reason = at, "rotated"
            new = _new_session(session, account, Stage.SIGNED_IN, requester.client_address, at)
            uow.commit()
            return new
    raise failure


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def begin_enrolment(
    uow: UnitOfWork, token: str | None, *, policy: SessionPolicy, now: datetime | None = None
) -> Enrolment:
    """The secret to add to an authenticator app; kept, unconfirmed, until a code proves it."""
    at = now_or(now)
    with uow:
        record, account = _live(uow.session, token, policy, at)
        if record.stage == Stage.SECOND_FACTOR:
            raise AuthenticationError("pass the second factor first; sign in again")
        if account.totp_confirmed_at is not None:
            raise InputError(
                "a second factor is already set up for this account; ask an administrator "
                "to reset it if you have lost your device"
            )
        if account.totp_secret is None:
            account.totp_secret = new_totp_secret()
        secret = account.totp_secret
        email = account_view(uow.session, account).email
        uow.commit()
    return Enrolment(secret, totp.provisioning_uri(secret, email))


def confirm_enrolment(
    uow: UnitOfWork,
    token: str | None,
    code: str,
    *,
    requester: Requester,
    policy: SessionPolicy,
    now: datetime | None = None,
) -> NewSession:
    """Turn the second factor on once ``code`` proves the app holds the secret; new session."""
    at = now_or(now)
    with uow:
        session = uow.session
        record, account = _live(session, token, policy, at)
        if (
            record.stage == Stage.SECOND_FACTOR
            or account.totp_secret is None
            or account.totp_confirmed_at is not None
        ):
            raise InputError("there is no second factor waiting to be confirmed; start again")
        email = account_view(session, account).email
        try:
            check_throttle(session, policy, email, requester, at)
        except SignInThrottledError as throttled:
            uow.commit()
            raise throttled from None
        if not _accept_code(account, account.totp_secret, code, at):
            # counted like a wrong password: guessing codes here is throttled as at sign-in
            record_attempt(session, email, requester, False, at)
            uow.commit()
            failure = AuthenticationError(WRONG_CODE, field="code")
        else:
            account.totp_confirmed_at = at
            record.ended_at, record.end_reason = at, "rotated"
            new = _new_session(session, account, Stage.SIGNED_IN, requester.client_address, at)
            uow.commit()
            return new
    raise failure


def sign_out(uow: UnitOfWork, token: str | None, *, now: datetime | None = None) -> int:
    """End every session of the account ``token`` belongs to; how many ended (0 if none)."""
    if not token or len(token) > 128:
        return 0
    at = now_or(now)
    with uow:
        record = uow.session.scalars(
            select(WebSessionRecord).where(WebSessionRecord.token_hash == hash_token(token))
        ).one_or_none()
        if record is None:
            return 0
        ended = end_sessions(uow.session, record.account_id, "signed-out", at)
        uow.commit()
    return ended
