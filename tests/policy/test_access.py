"""Access control in the core (Procedure B1, Principle 7): roles, permissions, party boundary."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from infoshare.policy.access import (
    ACCESS_CLAUSES,
    PARTY_SCOPED,
    ROLE_PERMISSIONS,
    TOKEN_PERMISSIONS,
    AccessReasonCode,
    Actor,
    Permission,
    Role,
    access_log_scope,
    authorize,
    permissions_of,
    roles_need_second_factor,
)

CODES = ["LTHT", "LMHST", "WLPCT", "LCC", "EDL", "WYP", "WYPROB", "VOICE"]
roles = st.frozensets(st.sampled_from([r.value for r in Role]) | st.text(max_size=12))
permissions = st.sampled_from(list(Permission))
codes = st.sampled_from(CODES)


def test_every_role_has_permissions_and_every_reason_a_clause() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(ACCESS_CLAUSES) == set(AccessReasonCode)


def test_a_practitioner_reads_their_own_partys_service_users() -> None:
    actor = Actor("LTHT", frozenset({"practitioner"}))
    decision = authorize(actor, Permission.SERVICE_USERS_READ, "LTHT")
    assert decision.allowed
    assert decision.reasons[0].clause == "Procedure B1"


def test_another_partys_service_user_is_refused_citing_principle_7() -> None:
    actor = Actor("LTHT", frozenset({"practitioner", "designated-officer"}))
    decision = authorize(actor, Permission.SERVICE_USERS_READ, "WYP")
    assert not decision.allowed
    assert decision.reasons[0].code is AccessReasonCode.OTHER_PARTY
    assert decision.clause == "Principle 7"


def test_nobody_signed_in_is_refused() -> None:
    decision = authorize(None, Permission.AGREEMENTS_READ)
    assert not decision.allowed
    assert decision.reasons[0].code is AccessReasonCode.NOT_SIGNED_IN


def test_the_information_sharing_manager_and_administrator_see_no_personal_data() -> None:
    for role in (Role.INFORMATION_SHARING_MANAGER, Role.ADMINISTRATOR, Role.STEERING_GROUP):
        actor = Actor("NWLPCT", frozenset({role.value}))
        for permission in PARTY_SCOPED:
            assert not authorize(actor, permission, "NWLPCT").allowed, (role, permission)


def test_only_designated_officers_approve_referrals() -> None:
    holders = {
        r for r, granted in ROLE_PERMISSIONS.items() if Permission.REFERRALS_APPROVE in granted
    }
    assert holders == {Role.DESIGNATED_OFFICER}


def test_second_factor_is_required_for_designated_officers_and_administrators() -> None:
    assert roles_need_second_factor(["practitioner", "designated-officer"])
    assert roles_need_second_factor(["administrator"])
    assert not roles_need_second_factor(["practitioner", "lead-member"])


def test_a_token_holds_exactly_its_permissions_and_never_administration() -> None:
    token = Actor(
        "LCC",
        roles=frozenset({"administrator"}),
        token_permissions=frozenset({Permission.SERVICE_USERS_READ, Permission.ACCOUNTS_MANAGE}),
    )
    assert permissions_of(token) == {Permission.SERVICE_USERS_READ}
    assert authorize(token, Permission.SERVICE_USERS_READ, "LCC").allowed
    assert not authorize(token, Permission.ACCOUNTS_MANAGE, "LCC").allowed
    assert not authorize(token, Permission.SERVICE_USERS_READ, "WYP").allowed
    assert Permission.ACCOUNTS_MANAGE not in TOKEN_PERMISSIONS


@given(roles=roles, own=codes, other=codes, permission=permissions)
def test_no_role_ever_reaches_another_partys_service_users(
    roles: frozenset[str], own: str, other: str, permission: Permission
) -> None:
    actor = Actor(own, roles)
    decision = authorize(actor, permission, other)
    if permission in PARTY_SCOPED and other != own:
        assert not decision.allowed
        assert decision.clause in {"Principle 7", "Procedure B1"}


@given(roles=roles, own=codes, permission=st.sampled_from(sorted(PARTY_SCOPED)))
def test_personal_data_with_no_known_owner_is_refused(
    roles: frozenset[str], own: str, permission: Permission
) -> None:
    assert not authorize(Actor(own, roles), permission, None).allowed


@given(roles=roles, own=codes, permission=permissions)
def test_a_decision_is_allowed_only_if_a_role_grants_it(
    roles: frozenset[str], own: str, permission: Permission
) -> None:
    granted = any(permission in ROLE_PERMISSIONS[Role(r)] for r in roles if r in set(Role))
    decision = authorize(Actor(own, roles), permission, own)
    assert decision.allowed == granted
    assert all(reason.clause == ACCESS_CLAUSES[reason.code] for reason in decision.reasons)


@given(tokens=st.frozensets(permissions), own=codes, other=codes, permission=permissions)
def test_tokens_are_bound_to_their_party(
    tokens: frozenset[Permission], own: str, other: str, permission: Permission
) -> None:
    decision = authorize(Actor(own, token_permissions=tokens), permission, other)
    if decision.allowed:
        assert permission in tokens
        assert permission in TOKEN_PERMISSIONS
        if permission in PARTY_SCOPED:
            assert other == own


def test_the_steering_group_audits_everyone_others_their_own_organisation() -> None:
    assert access_log_scope(Actor("NWLPCT", frozenset({"steering-group"}))) is None
    assert access_log_scope(Actor("LTHT", frozenset({"designated-officer"}))) == "LTHT"
    token = Actor("LTHT", frozenset({"steering-group"}), token_permissions=frozenset())
    assert access_log_scope(token) == "LTHT"
