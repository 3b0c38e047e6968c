"""What a service user is shown of a disclosure (Principles 8, 12) and may withdraw (A3);
and the portal principal's reach (Principle 12): properties over any items."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from infoshare.policy.access import (
    AccessReasonCode,
    Permission,
    PortalAction,
    PortalPrincipal,
    authorize,
    authorize_portal,
)
from infoshare.policy.subject_access import (
    DEFAULT_WITHHOLDING_GROUND,
    disclosure_shown,
    items_for_subject,
    read_shown,
    why_not_withdrawable,
)

CATEGORIES = st.sampled_from(["identity", "physical-health", "criminal-record", "housing"])
ITEMS = st.lists(
    st.fixed_dictionaries(
        {
            "category": CATEGORIES,
            "nature": st.sampled_from(["fact", "opinion", "both"]),
            # None and strings stand for what an older or damaged record might hold
            "confidential_from_subject": st.sampled_from([True, False, None, "no"]),
            "confidential_ground": st.sampled_from([None, "", "dpa-1998-s29", "dpa-1998-s7"]),
        }
    ),
    max_size=12,
)


@given(ITEMS)
def test_a_confidential_item_is_never_shown_and_always_counted(items: list[dict]) -> None:  # type: ignore[type-arg]
    split = items_for_subject(items)
    shareable = [i for i in items if i["confidential_from_subject"] is False]
    kept = len(items) - len(shareable)
    assert sum(w.count for w in split.withheld) == kept
    shown = {(s.category, s.nature) for s in split.shown}
    assert shown == {(i["category"], i["nature"]) for i in shareable}
    # a kind of information that went only as confidential items is not named at all
    only_confidential = {i["category"] for i in items} - {i["category"] for i in shareable}
    assert not only_confidential & {s.category for s in split.shown}


def test_a_withheld_item_without_a_ground_is_withheld_under_principle_8() -> None:
    split = items_for_subject([{"category": "housing", "confidential_from_subject": True}])
    assert [(w.ground, w.count) for w in split.withheld] == [(DEFAULT_WITHHOLDING_GROUND, 1)]
    assert split.shown == ()


def test_only_a_consent_the_person_gave_and_did_not_withdraw_may_be_withdrawn() -> None:
    assert why_not_withdrawable("given", "service-user", withdrawn=False) is None
    assert "already" in (why_not_withdrawable("given", "service-user", withdrawn=True) or "")
    assert "refusal" in (why_not_withdrawable("refused", "service-user", withdrawn=False) or "")
    assert "Procedure A2" in (
        why_not_withdrawable("given", "representative", withdrawn=False) or ""
    )


@given(st.uuids(), st.uuids(), st.sampled_from(list(PortalAction)))
def test_a_portal_principal_reaches_their_own_record_only(own, other, action) -> None:  # type: ignore[no-untyped-def]
    principal = PortalPrincipal(str(own))
    assert authorize_portal(principal, action, str(own)).allowed
    refused = authorize_portal(principal, action, str(other))
    assert refused.allowed is (own == other)
    if own != other:
        assert refused.reasons[0].code is AccessReasonCode.NOT_THEIR_RECORD
        assert refused.clause == "Principle 12"
    assert not authorize_portal(None, action, str(own)).allowed
    assert not authorize_portal(principal, action, None).allowed


def test_nobody_without_an_actor_reaches_a_staff_permission() -> None:
    # a portal requester carries no Actor: every staff permission refuses it
    for permission in Permission:
        assert not authorize(None, permission, "LTHT").allowed


TOLD = st.sampled_from([True, False, None, "yes", 1])


@given(st.lists(st.tuples(st.uuids().map(str), TOLD), max_size=10))
def test_a_disclosure_the_person_was_not_told_of_is_never_shown(
    disclosures: list[tuple[str, object]],
) -> None:
    shown = {d for d, told in disclosures if disclosure_shown(told)}
    # only an explicit True shows it: anything else stays with the staff (fail closed)
    assert shown == {d for d, told in disclosures if told is True}
    # and a read of a disclosure the person is not shown is not listed either
    for disclosure_id, _told in disclosures:
        listed = read_shown("disclosures:read", f"disclosure `{disclosure_id}`", shown)
        assert listed == (disclosure_id in shown)


@given(st.sampled_from(["referrals:read", "disclosures:read", "consent:record", "x"]), st.text())
def test_a_referral_read_or_an_unknown_read_is_never_listed(action: str, what: str) -> None:
    assert not read_shown(action, what, set())


def test_a_record_page_open_is_listed() -> None:
    assert read_shown("service-users:read", "their record", set())
