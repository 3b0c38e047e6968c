"""An organisation's administrator manages its staff's sign-in accounts (Procedure B1, A6).

Each use case asks the policy core for ``accounts:manage`` over the account's organisation:
an administrator reaches only their own organisation's staff; another party's account is
answered as if it did not exist (404), and the attempt is logged in the access log like any
refusal. Changes are written to the application log (who changed whose account, and how).

- list the organisation's accounts; create one (a new member of staff, their roles, and a
  first-sign-in link: the administrator never sees or sets a password);
- change roles (the pack's roles, and the ``administrator`` flag), which ends the account's
  sessions so the new roles apply from the next sign-in;
- disable (every session ends at once) and enable;
- reset the second factor (the person enrols again at next sign-in; sessions end);
- issue a one-time link to set a password: kept only as its SHA-256, it expires (72 hours
  for a first sign-in, 24 for a reset), and issuing another voids the earlier ones.

An administrator cannot disable their own account or take away their own administrator
flag: another administrator, or the console, must (so nobody locks their party out by
mistake). Nor may they change their own roles or reset their own second factor here: one
person could otherwise make themselves designated officer, who approves sharing without
consent (Procedure A5), or take over a second factor, with nobody else involved. Those are
refused (403) and each refusal is logged in the access log (Procedure B1); another
administrator, or the console, makes the change.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    UnknownReferenceError,
)
from infoshare.policy.access import AccessReasonCode, Permission, Role, authorize
from infoshare.services.access_log import Outcome, Requester, RequesterKind, add_entry, refuse
from infoshare.services.accounts import (
    AccountView,
    account_view,
    check_new_password,
    end_sessions,
    hash_password,
)
from infoshare.services.clock import now_or
from infoshare.services.organisations import organisation_by_code
from infoshare.services.staff import normalise_email
from infoshare.store.models import (
    AccountLinkRecord,
    AccountRecord,
    OrganisationRecord,
    RoleRecord,
    StaffRecord,
    StaffRoleRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

NAME_MAX = 200
JOB_TITLE_MAX = 200
EMAIL_MAX = 254
LINK_TOKEN_MAX = 128
LINK_INVALID = (
    "this link has been used, has expired or was replaced by a newer one; ask your "
    "organisation's administrator for a new link"
)


class LinkPurpose(StrEnum):
    FIRST_SIGN_IN = "first-sign-in"
    PASSWORD_RESET = "password-reset"  # noqa: S105 - a kind of link, not a secret


#: how long each kind of link works
LINK_LIFETIMES = {
    LinkPurpose.FIRST_SIGN_IN: timedelta(hours=72),
    LinkPurpose.PASSWORD_RESET: timedelta(hours=24),
}


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued; ``token`` is shown once, to the administrator, and never stored."""

    token: str
    purpose: LinkPurpose
    expires_at: datetime
    account: AccountView

    @property
    def path(self) -> str:
        return f"/account/set-password/{self.token}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_allowed(
    session: Session, requester: Requester, organisation_code: str, what: str, at: datetime
) -> PermissionDeniedError | NotFoundError | None:
    """The error to raise (after committing the logged refusal), or None if allowed."""
    if requester.kind is RequesterKind.CONSOLE:
        return None  # the operator at the server's console holds the database anyway
    decision = authorize(requester.actor, Permission.ACCOUNTS_MANAGE, organisation_code)
    if decision.allowed:
        return None
    error = refuse(session, requester, decision, what=what, at=at)
    if decision.reasons[0].code is AccessReasonCode.OTHER_PARTY:
        # Principle 7: another party's staff are not acknowledged to exist
        return NotFoundError("there is no such account here; check the link", field="account")
    return error


def _managed(
    uow: UnitOfWork, requester: Requester, account_id: uuid.UUID, at: datetime
) -> AccountRecord:
    """The account, if ``requester`` may manage it; else the refusal is committed and raised."""
    session = uow.session
    row = session.execute(
        select(AccountRecord, OrganisationRecord.code)
        .join(StaffRecord, AccountRecord.staff_id == StaffRecord.id)
        .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
        .where(AccountRecord.id == account_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError("there is no such account here; check the link", field="account")
    account, code = row
    refusal = _check_allowed(session, requester, code, f"account `{account_id}`", at)
    if refusal is not None:
        uow.commit()
        raise refusal
    return account


def _refuse_own(
    uow: UnitOfWork, requester: Requester, account: AccountRecord, what: str, at: datetime
) -> None:
    """Refuse (logged, committed) ``what`` when the requester is the account's own holder.

    Procedure A5 and B1: a change to who may approve sharing, or to how someone proves who
    they are, needs a second person; the console operator holds the database anyway.
    """
    if requester.kind is RequesterKind.CONSOLE:
        return
    email = account_view(uow.session, account).email
    if email != requester.name:
        return
    add_entry(
        uow.session,
        requester,
        outcome=Outcome.DENIED,
        action=Permission.ACCOUNTS_MANAGE.value,
        what=f"the account of `{email}`",
        why=f"an administrator may not {what} on their own account",
        clause="Procedure B1",
        at=at,
    )
    uow.commit()
    log.warning("%s: refused to %s on their own account", _who(requester), what)
    raise PermissionDeniedError(
        f"you cannot {what} on your own account `{email}`; ask another administrator (Procedure B1)"
    )


def _record_change(
    session: Session, requester: Requester, email: str, change: str, at: datetime
) -> None:
    """Keep the change in the access log (in its transaction) and the application log."""
    add_entry(
        session,
        requester,
        outcome=Outcome.CHANGED,
        action=Permission.ACCOUNTS_MANAGE.value,
        what=f"the account of `{email}`",
        why=change,
        clause="Procedure B1",
        at=at,
    )
    log.info("%s: %s: %s", _who(requester), email, change)


def _who(requester: Requester) -> str:
    return requester.name or requester.kind.value


def list_accounts(
    uow: UnitOfWork, requester: Requester, *, now: datetime | None = None
) -> list[AccountView]:
    """The sign-in accounts of the requester's organisation, by name."""
    at = now_or(now)
    code = requester.organisation_code or ""
    with uow:
        refusal = _check_allowed(uow.session, requester, code, "the list of accounts", at)
        if refusal is not None:
            uow.commit()
            raise refusal
        accounts = uow.session.scalars(
            select(AccountRecord)
            .join(StaffRecord, AccountRecord.staff_id == StaffRecord.id)
            .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
            .where(OrganisationRecord.code == code)
            .order_by(StaffRecord.name, StaffRecord.email)
        ).all()
        return [account_view(uow.session, a) for a in accounts]


def assignable_roles(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(id, name) of the protocol pack's roles, for the form."""
    with uow.reading():
        roles = uow.session.scalars(select(RoleRecord).order_by(RoleRecord.id))
        # the administrator flag stands for the pack's `administrator` role: one checkbox
        return [(r.id, r.title) for r in roles if r.id != Role.ADMINISTRATOR.value]


def _check_roles(session: Session, roles: Sequence[str]) -> list[str]:
    """The pack's roles asked for, checked; ``administrator`` is the account's flag instead."""
    wanted = sorted(set(roles) - {Role.ADMINISTRATOR.value})
    known = set(session.scalars(select(RoleRecord.id)))
    unknown = [r for r in wanted if r not in known]
    if unknown:
        allowed = ", ".join(f"`{r}`" for r in sorted(known))
        raise UnknownReferenceError(
            f"unknown role `{unknown[0][:64]}`; choose among {allowed}", field="roles"
        )
    return wanted


def _text(value: str, field: str, label: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InputError(f"the {label} is empty; give the person's {label}", field=field)
    if len(cleaned) > limit:
        raise InputError(
            f"the {label} has {len(cleaned)} characters; use at most {limit}", field=field
        )
    return cleaned


def _issue(
    session: Session, account: AccountRecord, purpose: LinkPurpose, by: str, at: datetime
) -> IssuedLink:
    # A newer link voids the older ones, so only the last one sent can be used.
    session.execute(
        update(AccountLinkRecord)
        .where(AccountLinkRecord.account_id == account.id, AccountLinkRecord.used_at.is_(None))
        .values(used_at=at)
    )
    token = secrets.token_urlsafe(32)
    expires = at + LINK_LIFETIMES[purpose]
    session.add(
        AccountLinkRecord(
            account_id=account.id,
            token_hash=_hash(token),
            purpose=purpose.value,
            created_by=by,
            created_at=at,
            expires_at=expires,
            used_at=None,
        )
    )
    session.flush()
    return IssuedLink(token, purpose, expires, account_view(session, account))


def create_staff_account(
    uow: UnitOfWork,
    requester: Requester,
    *,
    name: str,
    email: str,
    job_title: str,
    roles: Sequence[str],
    administrator: bool = False,
    now: datetime | None = None,
) -> IssuedLink:
    """Add a member of staff to the requester's organisation with an account; a first link.

    The account has no usable password until the person follows the link.
    """
    at = now_or(now)
    code = requester.organisation_code or ""
    name = _text(name, "name", "name", NAME_MAX)
    job_title = _text(job_title, "job_title", "job title", JOB_TITLE_MAX)
    if len(email) > EMAIL_MAX:
        raise InputError(f"the email address is longer than {EMAIL_MAX} characters", field="email")
    address = normalise_email(email)
    # Nobody knows this password: the account signs in only once the link has set one.
    unusable = hash_password(secrets.token_urlsafe(32))
    with uow:
        session = uow.session
        refusal = _check_allowed(session, requester, code, f"a new account for `{address}`", at)
        if refusal is not None:
            uow.commit()
            raise refusal
        wanted = _check_roles(session, roles)
        if session.scalars(select(StaffRecord.id).where(StaffRecord.email == address)).first():
            raise ConflictError(
                f"`{address}` is already in the staff directory; find their account in the "
                "list, or ask the console operator if they belong to another organisation",
                field="email",
            )
        organisation = organisation_by_code(session, code)
        staff = StaffRecord(
            organisation_id=organisation.id,
            name=name,
            email=address,
            job_title=job_title,
            active=True,
            training_completed_on=None,
            created_at=at,
            roles=[StaffRoleRecord(role_id=r) for r in wanted],
        )
        session.add(staff)
        try:
            session.flush()
        except IntegrityError as exc:
            raise ConflictError(f"`{address}` is already in use", field="email") from exc
        account = AccountRecord(
            staff_id=staff.id,
            password_hash=unusable,
            administrator=administrator,
            totp_secret=None,
            totp_confirmed_at=None,
            disabled_at=None,
            password_changed_at=at,
            created_at=at,
        )
        session.add(account)
        session.flush()
        issued = _issue(session, account, LinkPurpose.FIRST_SIGN_IN, _who(requester), at)
        roles_text = ", ".join(issued.account.roles) or "no roles"
        _record_change(session, requester, address, f"created ({roles_text}); first link", at)
        uow.commit()
    return issued


def get_managed_account(
    uow: UnitOfWork, requester: Requester, account_id: uuid.UUID, *, now: datetime | None = None
) -> AccountView:
    at = now_or(now)
    with uow:
        account = _managed(uow, requester, account_id, at)
        return account_view(uow.session, account)


def change_roles(
    uow: UnitOfWork,
    requester: Requester,
    account_id: uuid.UUID,
    *,
    roles: Sequence[str],
    administrator: bool,
    now: datetime | None = None,
) -> AccountView:
    """Set the person's roles; their sessions end so the new roles apply from the next sign-in."""
    at = now_or(now)
    with uow:
        session = uow.session
        account = _managed(uow, requester, account_id, at)
        _refuse_own(uow, requester, account, "change the roles", at)
        wanted = _check_roles(session, roles)
        staff = session.get_one(StaffRecord, account.staff_id)
        staff.roles = [StaffRoleRecord(role_id=r) for r in wanted]
        account.administrator = administrator
        end_sessions(session, account.id, "roles-changed", at)
        session.flush()
        view = account_view(session, account)
        roles_text = ", ".join(view.roles) or "no roles"
        _record_change(session, requester, view.email, f"roles set to {roles_text}", at)
        uow.commit()
    return view


def set_disabled(
    uow: UnitOfWork,
    requester: Requester,
    account_id: uuid.UUID,
    disabled: bool,
    *,
    now: datetime | None = None,
) -> AccountView:
    """Disable (every session ends now) or enable an account of the organisation."""
    at = now_or(now)
    with uow:
        session = uow.session
        account = _managed(uow, requester, account_id, at)
        if disabled:
            if account_view(session, account).email == requester.name:
                raise InputError(
                    "you cannot disable your own account; ask another administrator",
                    field="account",
                )
            if account.disabled_at is None:
                account.disabled_at = at
            end_sessions(session, account.id, "disabled", at)
        else:
            account.disabled_at = None
        view = account_view(session, account)
        _record_change(session, requester, view.email, "disabled" if disabled else "enabled", at)
        uow.commit()
    return view


def reset_second_factor(
    uow: UnitOfWork, requester: Requester, account_id: uuid.UUID, *, now: datetime | None = None
) -> AccountView:
    """Forget the account's TOTP secret; the person enrols again at their next sign-in."""
    at = now_or(now)
    with uow:
        session = uow.session
        account = _managed(uow, requester, account_id, at)
        _refuse_own(uow, requester, account, "reset the second factor", at)
        account.totp_secret = None
        account.totp_confirmed_at = None
        account.totp_last_step = None
        end_sessions(session, account.id, "second-factor-reset", at)
        view = account_view(session, account)
        _record_change(session, requester, view.email, "second factor reset", at)
        uow.commit()
    return view


def issue_password_link(
    uow: UnitOfWork, requester: Requester, account_id: uuid.UUID, *, now: datetime | None = None
) -> IssuedLink:
    """A one-time link for the person to set a new password (the old one works until then)."""
    at = now_or(now)
    with uow:
        account = _managed(uow, requester, account_id, at)
        issued = _issue(uow.session, account, LinkPurpose.PASSWORD_RESET, _who(requester), at)
        _record_change(uow.session, requester, issued.account.email, "password link issued", at)
        uow.commit()
    return issued


def _live_link(session: Session, token: str, at: datetime) -> AccountLinkRecord:
    if not token or len(token) > LINK_TOKEN_MAX:
        raise NotFoundError(LINK_INVALID, field="token")
    link = session.scalars(
        select(AccountLinkRecord).where(AccountLinkRecord.token_hash == _hash(token))
    ).one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= at:
        raise NotFoundError(LINK_INVALID, field="token")
    return link


def link_holder(uow: UnitOfWork, token: str, *, now: datetime | None = None) -> AccountView:
    """Whose account a live link sets the password of; NotFoundError if it is not live."""
    at = now_or(now)
    with uow.reading():
        link = _live_link(uow.session, token, at)
        return account_view(uow.session, uow.session.get_one(AccountRecord, link.account_id))


def use_password_link(
    uow: UnitOfWork, token: str, password: str, *, now: datetime | None = None
) -> AccountView:
    """Set the password through a live link, once; every session of the account ends."""
    check_new_password(password)
    at = now_or(now)
    password_hash = hash_password(password)
    with uow:
        session = uow.session
        link = _live_link(session, token, at)
        account = session.get_one(AccountRecord, link.account_id)
        if account_view(session, account).disabled:
            raise NotFoundError(LINK_INVALID, field="token")
        link.used_at = at
        account.password_hash = password_hash
        account.password_changed_at = at
        end_sessions(session, account.id, "password-reset", at)
        view = account_view(session, account)
        uow.commit()
    log.info("%s set their password with a %s link", view.email, link.purpose)
    return view
