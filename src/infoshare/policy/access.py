"""Who may do what: staff roles, the permissions each grants, and the organisation boundary.

Procedure B1 asks every partner to control access to personal information: people are
identified, hold a role, and reach only what their role needs; Principle 7 limits what is
seen to those who need to know it. Here that becomes one pure function, ``authorize``:

- a permission is granted by a role (``ROLE_PERMISSIONS``) or, for another system, by the
  permissions its API token was issued with;
- a permission over personal data (``PARTY_SCOPED``) reaches only service users of the
  actor's own party: the resource's owning organisation must be the actor's. Nothing here
  widens that; what another party disclosed to this one arrives by a disclosure, not by a
  wider permission. Managing accounts and tokens is bound to the actor's organisation too;
- anything unexpected (no actor, no roles, an unknown permission) is a denial.

The services ask ``authorize`` before every read or change and log each denial; routes never
decide access themselves. Every reason cites the clause it applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Role(StrEnum):
    """The staff roles an account can hold (section 4.1, Procedure A6), plus the system's own."""

    PRACTITIONER = "practitioner"
    DESIGNATED_OFFICER = "designated-officer"
    LEAD_MEMBER = "lead-member"
    INFORMATION_SHARING_MANAGER = "information-sharing-manager"
    STEERING_GROUP = "steering-group"
    ADMINISTRATOR = "administrator"
    DATA_PROTECTION_OFFICER = "data-protection-officer"
    INFORMATION_SHARING_LEAD = "information-sharing-lead"


class Permission(StrEnum):
    """One thing an actor may do, as ``resource:action``."""

    SERVICE_USERS_READ = "service-users:read"
    SERVICE_USERS_WRITE = "service-users:write"
    CONSENT_RECORD = "consent:record"
    DISCLOSURES_READ = "disclosures:read"
    DISCLOSURES_MAKE = "disclosures:make"
    REFERRALS_APPROVE = "referrals:approve"
    SUBJECT_ACCESS_ANSWER = "subject-access:answer"
    AGREEMENTS_READ = "agreements:read"
    AGREEMENTS_MANAGE = "agreements:manage"
    STAFF_READ = "staff:read"
    MONITORING_READ = "monitoring:read"
    BREACHES_REPORT = "breaches:report"
    BREACHES_ADJUDICATE = "breaches:adjudicate"
    ACCESS_LOG_READ = "access-log:read"
    ACCOUNTS_MANAGE = "accounts:manage"
    API_TOKENS_MANAGE = "api-tokens:manage"


#: permissions over personal data of service users: only ever of the actor's own party
PARTY_SCOPED: Final = frozenset(
    {
        Permission.SERVICE_USERS_READ,
        Permission.SERVICE_USERS_WRITE,
        Permission.CONSENT_RECORD,
        Permission.DISCLOSURES_READ,
        Permission.DISCLOSURES_MAKE,
        Permission.REFERRALS_APPROVE,
        Permission.SUBJECT_ACCESS_ANSWER,
    }
)

#: permissions that act on one organisation's records: only ever the actor's own
ORGANISATION_SCOPED: Final = PARTY_SCOPED | {
    Permission.ACCOUNTS_MANAGE,
    Permission.API_TOKENS_MANAGE,
}

_PRACTICE = frozenset(
    {
        Permission.SERVICE_USERS_READ,
        Permission.SERVICE_USERS_WRITE,
        Permission.CONSENT_RECORD,
        Permission.DISCLOSURES_READ,
        Permission.DISCLOSURES_MAKE,
        Permission.AGREEMENTS_READ,
        Permission.BREACHES_REPORT,
    }
)

#: what each role may do; a person with several roles may do what any of them may
ROLE_PERMISSIONS: Final[Mapping[Role, frozenset[Permission]]] = MappingProxyType(
    {
        Role.PRACTITIONER: _PRACTICE,
        # Principle 6, Procedure A5: the designated officer approves sharing without consent
        # and so sees the case, but only within their own organisation.
        Role.DESIGNATED_OFFICER: _PRACTICE
        | {Permission.REFERRALS_APPROVE, Permission.STAFF_READ, Permission.ACCESS_LOG_READ},
        # Procedures C1, C3: leads sign agreements and answer for their organisation.
        Role.LEAD_MEMBER: frozenset(
            {
                Permission.AGREEMENTS_READ,
                Permission.AGREEMENTS_MANAGE,
                Permission.STAFF_READ,
                Permission.MONITORING_READ,
                Permission.BREACHES_REPORT,
            }
        ),
        # Section 4.1: the protocol-wide manager sees the register and the monitoring,
        # never a service user's record.
        Role.INFORMATION_SHARING_MANAGER: frozenset(
            {
                Permission.AGREEMENTS_READ,
                Permission.AGREEMENTS_MANAGE,
                Permission.STAFF_READ,
                Permission.MONITORING_READ,
                Permission.BREACHES_REPORT,
            }
        ),
        # Section 4.4, Procedure C5: read-only monitoring and adjudication of breaches.
        Role.STEERING_GROUP: frozenset(
            {
                Permission.AGREEMENTS_READ,
                Permission.MONITORING_READ,
                Permission.BREACHES_ADJUDICATE,
                Permission.ACCESS_LOG_READ,
            }
        ),
        # Runs accounts and tokens; sees no personal data by virtue of this role.
        Role.ADMINISTRATOR: frozenset(
            {
                Permission.ACCOUNTS_MANAGE,
                Permission.API_TOKENS_MANAGE,
                Permission.STAFF_READ,
                Permission.ACCESS_LOG_READ,
            }
        ),
        # Principle 12, 13: subject access and complaints, within the organisation.
        Role.DATA_PROTECTION_OFFICER: frozenset(
            {
                Permission.SERVICE_USERS_READ,
                Permission.DISCLOSURES_READ,
                Permission.SUBJECT_ACCESS_ANSWER,
                Permission.ACCESS_LOG_READ,
                Permission.BREACHES_REPORT,
                Permission.AGREEMENTS_READ,
            }
        ),
        # Principle 14, Procedures A6, C2: directory, agreements and their reviews, training.
        Role.INFORMATION_SHARING_LEAD: frozenset(
            {
                Permission.AGREEMENTS_READ,
                Permission.AGREEMENTS_MANAGE,
                Permission.STAFF_READ,
                Permission.MONITORING_READ,
                Permission.BREACHES_REPORT,
            }
        ),
    }
)

#: roles whose accounts must sign in with a second factor (issue 7; Procedure B1)
SECOND_FACTOR_ROLES: Final = frozenset({Role.DESIGNATED_OFFICER, Role.ADMINISTRATOR})

#: what an API token may be issued with: another system acts for its party, never as an admin
TOKEN_PERMISSIONS: Final = frozenset(
    {
        Permission.SERVICE_USERS_READ,
        Permission.SERVICE_USERS_WRITE,
        Permission.CONSENT_RECORD,
        Permission.DISCLOSURES_READ,
        Permission.DISCLOSURES_MAKE,
        Permission.AGREEMENTS_READ,
        # The lead engineer's decision: an administrator may issue this to a party's
        # information-governance system, which then imports, proposes, signs and activates
        # agreements over REST. It acts only for its own party: the agreements, adoption and
        # contacts services check the party concerned (Procedures C1, C3, Section 4.1).
        Permission.AGREEMENTS_MANAGE,
        Permission.MONITORING_READ,
    }
)


class AccessReasonCode(StrEnum):
    GRANTED = "granted"
    NOT_SIGNED_IN = "not-signed-in"
    NOT_GRANTED = "not-granted"
    OTHER_PARTY = "other-party"
    NOT_THEIR_RECORD = "not-their-record"


#: the clause each code applies
ACCESS_CLAUSES: Final[Mapping[AccessReasonCode, str]] = MappingProxyType(
    {
        AccessReasonCode.GRANTED: "Procedure B1",
        AccessReasonCode.NOT_SIGNED_IN: "Procedure B1",
        AccessReasonCode.NOT_GRANTED: "Procedure B1",
        AccessReasonCode.OTHER_PARTY: "Principle 7",
        AccessReasonCode.NOT_THEIR_RECORD: "Principle 12",
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a member of staff (roles) or another system (its token's permissions)."""

    organisation_code: str
    roles: frozenset[str] = frozenset()
    #: set for an API token: exactly what it was issued with, whatever roles say
    token_permissions: frozenset[Permission] | None = None
    #: the account or token id, for the access log
    reference: str = ""


@dataclass(frozen=True, slots=True)
class AccessReason:
    code: AccessReasonCode
    clause: str
    message: str


@dataclass(frozen=True, slots=True)
class AccessDecision:
    allowed: bool
    permission: Permission
    reasons: tuple[AccessReason, ...] = field(default=())

    @property
    def message(self) -> str:
        return "; ".join(r.message for r in self.reasons)

    @property
    def clause(self) -> str:
        return self.reasons[0].clause if self.reasons else "Procedure B1"


def _reason(code: AccessReasonCode, message: str) -> AccessReason:
    return AccessReason(code, ACCESS_CLAUSES[code], message)


def permissions_of(actor: Actor) -> frozenset[Permission]:
    """Everything ``actor`` may do somewhere; unknown roles grant nothing."""
    if actor.token_permissions is not None:
        return actor.token_permissions & TOKEN_PERMISSIONS
    granted: set[Permission] = set()
    for role in actor.roles:
        if role in Role.__members__.values():
            granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


def roles_need_second_factor(roles: Iterable[str]) -> bool:
    """Whether an account holding ``roles`` must sign in with a second factor."""
    return any(role in SECOND_FACTOR_ROLES for role in roles)


def access_log_scope(actor: Actor) -> str | None:
    """Whose entries of the access log ``actor`` may read: an organisation code, or None for all.

    The steering group audits the whole protocol (section 4.4); everyone else with
    ``access-log:read`` audits their own organisation's staff and systems.
    """
    if actor.token_permissions is None and Role.STEERING_GROUP.value in actor.roles:
        return None
    return actor.organisation_code


def authorize(
    actor: Actor | None, permission: Permission, resource_owner_org: str | None = None
) -> AccessDecision:
    """Whether ``actor`` may do ``permission`` (to a resource of ``resource_owner_org``).

    For permissions over personal data, a resource with no known owner is refused: access
    to a service user's record is granted only through the actor's own party.
    """
    if actor is None:
        return AccessDecision(
            False,
            permission,
            (_reason(AccessReasonCode.NOT_SIGNED_IN, "sign in to see this"),),
        )
    if permission not in permissions_of(actor):
        who = "this token does" if actor.token_permissions is not None else "your roles do"
        return AccessDecision(
            False,
            permission,
            (_reason(AccessReasonCode.NOT_GRANTED, f"{who} not allow `{permission}`"),),
        )
    if permission in ORGANISATION_SCOPED and resource_owner_org != actor.organisation_code:
        if permission in PARTY_SCOPED:
            message = (
                f"this record is not held by `{actor.organisation_code}`; staff see only "
                "their own party's service users and what was disclosed to it"
            )
        else:
            message = f"`{permission}` reaches only `{actor.organisation_code}`'s own records"
        return AccessDecision(False, permission, (_reason(AccessReasonCode.OTHER_PARTY, message),))
    return AccessDecision(
        True, permission, (_reason(AccessReasonCode.GRANTED, f"`{permission}` is granted"),)
    )


# --- the service-user portal -------------------------------------------------------------------


class PortalAction(StrEnum):
    """What a service user signed in to the portal may do, to their own record only."""

    READ_OWN_REPORT = "portal:read-own-report"
    WITHDRAW_OWN_CONSENT = "portal:withdraw-own-consent"


@dataclass(frozen=True, slots=True)
class PortalPrincipal:
    """A service user signed in to the portal (Principle 12).

    Not an ``Actor``: ``authorize`` takes only staff and systems, so a portal principal can
    reach no staff permission, and ``authorize_portal`` takes only this, so staff reach no
    portal action. The two never meet.
    """

    #: the service user the portal account belongs to
    service_user_id: str
    #: the portal account's id, for the access log
    reference: str = ""


@dataclass(frozen=True, slots=True)
class PortalDecision:
    allowed: bool
    action: PortalAction
    reasons: tuple[AccessReason, ...] = field(default=())

    @property
    def message(self) -> str:
        return "; ".join(r.message for r in self.reasons)

    @property
    def clause(self) -> str:
        return self.reasons[0].clause if self.reasons else "Procedure B1"


def authorize_portal(
    principal: PortalPrincipal | None, action: PortalAction, subject_id: str | None
) -> PortalDecision:
    """Whether ``principal`` may do ``action`` to the record of service user ``subject_id``.

    Principle 12 gives a person access to information about themselves, so the only record
    a portal principal reaches is their own; anything else (nobody signed in, no subject,
    someone else's) is refused.
    """
    if principal is None:
        reason = _reason(AccessReasonCode.NOT_SIGNED_IN, "sign in to the portal to see this")
        return PortalDecision(False, action, (reason,))
    if subject_id is None or subject_id != principal.service_user_id:
        reason = _reason(
            AccessReasonCode.NOT_THEIR_RECORD, "the portal shows only your own information"
        )
        return PortalDecision(False, action, (reason,))
    reason = _reason(AccessReasonCode.GRANTED, f"`{action}` is granted for your own record")
    return PortalDecision(True, action, (reason,))
