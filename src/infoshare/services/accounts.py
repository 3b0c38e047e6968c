"""Sign-in accounts of staff: create, reset the password, disable, and the second factor.

Procedure B1: only identified staff reach personal information. An account belongs to one
member of staff of the directory (Procedure A6); its password is kept only as an argon2id
hash; designated officers and administrators must add a second factor (TOTP), anyone may.
Disabling an account or resetting its password ends every session it has.
"""

from __future__ import annotations

import functools
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from infoshare.domain import totp
from infoshare.errors import ConflictError, InputError, NotFoundError
from infoshare.policy.access import Role, roles_need_second_factor
from infoshare.services.clock import now_or
from infoshare.store.models import (
    AccountRecord,
    OrganisationRecord,
    StaffRecord,
    WebSessionRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

PASSWORD_MIN = 12
#: long enough for any passphrase; longer input is refused before it reaches the hash
PASSWORD_MAX = 256
EMAIL_MAX = 254

#: argon2id with argon2-cffi's defaults (RFC 9106's second recommendation: 64 MiB, t=3, p=4)
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this when no account matches makes an unknown address take as long
    # as a wrong password, so timing does not tell which addresses have accounts.
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash, spend the same time and say no."""
    try:
        _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def check_new_password(password: str) -> str:
    """``password`` if it is acceptable as a new password; InputError saying why not."""
    if len(password) < PASSWORD_MIN:
        raise InputError(
            f"the password has {len(password)} characters; use at least {PASSWORD_MIN} "
            "(a few unrelated words make a good one)",
            field="password",
        )
    if len(password) > PASSWORD_MAX:
        raise InputError(
            f"the password is longer than {PASSWORD_MAX} characters; use a shorter one",
            field="password",
        )
    return password


@dataclass(frozen=True)
class AccountView:
    id: uuid.UUID
    staff_id: uuid.UUID
    email: str
    name: str
    organisation_code: str
    #: the pack's roles the person holds, plus ``administrator`` if the account is one
    roles: tuple[str, ...]
    administrator: bool
    second_factor_enrolled: bool
    second_factor_required: bool
    disabled: bool


def effective_roles(staff: StaffRecord, account: AccountRecord) -> tuple[str, ...]:
    roles = {r.role_id for r in staff.roles}
    if account.administrator:
        roles.add(Role.ADMINISTRATOR.value)
    return tuple(sorted(roles))


def account_view(session: Session, account: AccountRecord) -> AccountView:
    staff = session.get_one(StaffRecord, account.staff_id)
    organisation = session.get_one(OrganisationRecord, staff.organisation_id)
    roles = effective_roles(staff, account)
    return AccountView(
        id=account.id,
        staff_id=staff.id,
        email=staff.email,
        name=staff.name,
        organisation_code=organisation.code,
        roles=roles,
        administrator=account.administrator,
        second_factor_enrolled=account.totp_confirmed_at is not None,
        second_factor_required=roles_need_second_factor(roles),
        disabled=account.disabled_at is not None or not staff.active,
    )


def _staff_by_email(session: Session, email: str) -> StaffRecord:
    address = email.strip().lower()[:EMAIL_MAX]
    staff = session.scalars(select(StaffRecord).where(StaffRecord.email == address)).one_or_none()
    if staff is None:
        raise NotFoundError(
            f"there is no member of staff with email `{email}`; add them to the staff "
            "directory first",
            field="email",
        )
    return staff


def _account_of(session: Session, email: str) -> AccountRecord:
    staff = _staff_by_email(session, email)
    account = session.scalars(
        select(AccountRecord).where(AccountRecord.staff_id == staff.id)
    ).one_or_none()
    if account is None:
        raise NotFoundError(
            f"`{email}` has no account; create one with `infoshare account create`",
            field="email",
        )
    return account


def create_account(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    administrator: bool = False,
    totp_secret: str | None = None,
    now: datetime | None = None,
) -> AccountView:
    """Give the member of staff with ``email`` an account (from the console, or an admin page).

    ``totp_secret`` enrols a second factor at once (the demo uses it); otherwise people whose
    roles need one enrol at their first sign-in.
    """
    check_new_password(password)
    moment = now_or(now)
    password_hash = hash_password(password)
    with uow:
        session = uow.session
        staff = _staff_by_email(session, email)
        exists = session.scalars(
            select(AccountRecord.id).where(AccountRecord.staff_id == staff.id)
        ).first()
        if exists is not None:
            raise ConflictError(
                f"`{staff.email}` already has an account; reset its password instead",
                field="email",
            )
        account = AccountRecord(
            staff_id=staff.id,
            password_hash=password_hash,
            administrator=administrator,
            totp_secret=totp_secret,
            totp_confirmed_at=moment if totp_secret else None,
            disabled_at=None,
            password_changed_at=moment,
            created_at=moment,
        )
        session.add(account)
        uow.flush()
        view = account_view(session, account)
        uow.commit()
    return view


def get_account(uow: UnitOfWork, email: str) -> AccountView:
    with uow.reading():
        return account_view(uow.session, _account_of(uow.session, email))


def end_sessions(session: Session, account_id: uuid.UUID, reason: str, at: datetime) -> int:
    """End every live session of the account; how many were live."""
    result = session.execute(
        update(WebSessionRecord)
        .where(WebSessionRecord.account_id == account_id, WebSessionRecord.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def disable_account(uow: UnitOfWork, email: str, *, now: datetime | None = None) -> AccountView:
    """Stop the account signing in, and end every session it has now."""
    moment = now_or(now)
    with uow:
        account = _account_of(uow.session, email)
        if account.disabled_at is None:
            account.disabled_at = moment
        end_sessions(uow.session, account.id, "disabled", moment)
        view = account_view(uow.session, account)
        uow.commit()
    return view


def enable_account(uow: UnitOfWork, email: str) -> AccountView:
    with uow:
        account = _account_of(uow.session, email)
        account.disabled_at = None
        view = account_view(uow.session, account)
        uow.commit()
    return view


def reset_password(
    uow: UnitOfWork, email: str, password: str, *, now: datetime | None = None
) -> AccountView:
    """Set a new password and end every session of the account."""
    check_new_password(password)
    moment = now_or(now)
    password_hash = hash_password(password)
    with uow:
        account = _account_of(uow.session, email)
        account.password_hash = password_hash
        account.password_changed_at = moment
        end_sessions(uow.session, account.id, "password-reset", moment)
        view = account_view(uow.session, account)
        uow.commit()
    return view


def new_totp_secret() -> str:
    """A fresh random TOTP secret (160 bits, base32)."""
    return totp.encode_secret(secrets.token_bytes(totp.SECRET_BYTES))
