"""The consent check (Procedure A4): every reason it gives, and the most-restrictive-wins rule."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.domain.capacity import CapacityOutcome
from infoshare.domain.consent import (
    AuthorityKind,
    ConsentDecision,
    DecidedBy,
    Exclusion,
    Explanation,
    Representative,
)
from infoshare.errors import InputError, NaiveDatetimeError
from infoshare.policy.consent import (
    ConsentQuery,
    ConsentStatus,
    IsaContext,
    check_consent,
    status_at,
)
from infoshare.policy.reasons import ReasonCode
from tests.policy.builders import (
    DAY,
    T0,
    assessment,
    consent,
    facts,
    lpa,
    query,
    refusal,
    withdrawal,
)


def codes(coverage_reasons: tuple[object, ...]) -> list[str]:
    return [r.code for r in coverage_reasons]  # type: ignore[attr-defined]


def only_reason(subject_facts: object, q: ConsentQuery) -> ReasonCode:
    result = check_consent(subject_facts, q)  # type: ignore[arg-type]
    (category,) = result.categories
    assert not category.covered
    return category.reasons[0].code


# --- what covers -------------------------------------------------------------------------


def test_a_consent_in_scope_covers_and_cites_procedure_a4() -> None:
    result = check_consent(facts(consent("c1")), query("physical-health", "mental-health"))
    assert result.all_covered
    assert result.covered == ("physical-health", "mental-health")
    for category in result.categories:
        assert category.covered_by == ("c1",)
        assert category.reasons[0].code is ReasonCode.CONSENT_COVERS
        assert category.reasons[0].clause == "Procedure A4"
    assert not result.refusal_applies


def test_each_category_is_answered_on_its_own() -> None:
    result = check_consent(
        facts(consent("c1", categories=["physical-health"])),
        query("physical-health", "housing"),
    )
    assert result.covered == ("physical-health",)
    assert result.not_covered == ("housing",)
    assert result.category("housing").reasons[0].code is ReasonCode.CATEGORY_OUT_OF_SCOPE
    assert result.category("housing").reasons[0].refs == ("c1",)
    with pytest.raises(KeyError):
        result.category("finances")


def test_every_consent_covering_a_category_is_named_in_order() -> None:
    result = check_consent(facts(consent("c2"), consent("c1")), query("physical-health"))
    assert result.categories[0].covered_by == ("c1", "c2")


def test_a_category_asked_twice_is_answered_once() -> None:
    q = query("physical-health", "physical-health")
    assert q.data_categories == ("physical-health",)


# --- why not: one test per reason --------------------------------------------------------


def test_no_consent_at_all() -> None:
    result = check_consent(facts(), query("physical-health"))
    reason = result.categories[0].reasons[0]
    assert reason.code is ReasonCode.NO_CONSENT
    assert reason.clause == "Procedure A4"
    assert "Procedure A5" in reason.message


def test_purpose_out_of_scope() -> None:
    code = only_reason(facts(consent()), query(purpose="research"))
    assert code is ReasonCode.PURPOSE_OUT_OF_SCOPE


def test_recipient_out_of_scope() -> None:
    code = only_reason(facts(consent(recipients=["LTHT"])), query(recipient="WYP"))
    assert code is ReasonCode.RECIPIENT_OUT_OF_SCOPE


def test_category_out_of_scope() -> None:
    code = only_reason(facts(consent(categories=["physical-health"])), query("offences"))
    assert code is ReasonCode.CATEGORY_OUT_OF_SCOPE


def test_not_yet_valid_before_valid_from() -> None:
    later = consent(valid_from=T0 + 10 * DAY)
    assert only_reason(facts(later), query(at=T0 + DAY)) is ReasonCode.CONSENT_NOT_YET_VALID
    assert check_consent(facts(later), query(at=T0 + 10 * DAY)).all_covered


def test_a_consent_never_applies_before_it_was_obtained() -> None:
    backdated = consent(valid_from=T0 - 30 * DAY)
    assert backdated.starts_at == T0
    assert only_reason(facts(backdated), query(at=T0 - DAY)) is ReasonCode.CONSENT_NOT_YET_VALID


def test_expired_from_valid_until_on() -> None:
    limited = consent(valid_until=T0 + 5 * DAY)
    assert check_consent(facts(limited), query(at=T0 + 5 * DAY - DAY)).all_covered
    assert only_reason(facts(limited), query(at=T0 + 5 * DAY)) is ReasonCode.CONSENT_EXPIRED


def test_withdrawn_from_its_moment_on_but_never_before() -> None:
    withdrawn = consent(withdrawal=withdrawal(T0 + 3 * DAY))
    assert check_consent(facts(withdrawn), query(at=T0 + 2 * DAY)).all_covered
    result = check_consent(facts(withdrawn), query(at=T0 + 3 * DAY))
    reason = result.categories[0].reasons[0]
    assert reason.code is ReasonCode.CONSENT_WITHDRAWN
    assert reason.refs == ("c1",)


def test_superseded_once_the_newer_consent_starts() -> None:
    old = consent("old")
    new = consent("new", categories=["physical-health"], supersedes="old", obtained_at=T0 + DAY)
    before = check_consent(facts(old, new), query("mental-health", at=T0 + DAY / 2))
    assert before.categories[0].covered_by == ("old",)
    after = check_consent(facts(old, new), query("mental-health", at=T0 + 2 * DAY))
    assert not after.all_covered
    codes_found = codes(after.categories[0].reasons)
    assert ReasonCode.CONSENT_SUPERSEDED in codes_found
    assert ReasonCode.CATEGORY_OUT_OF_SCOPE in codes_found


def test_withdrawing_the_newer_consent_does_not_revive_the_older() -> None:
    old = consent("old")
    new = consent(
        "new", supersedes="old", obtained_at=T0 + DAY, withdrawal=withdrawal(T0 + 2 * DAY)
    )
    result = check_consent(facts(old, new), query(at=T0 + 3 * DAY))
    assert not result.all_covered
    assert set(codes(result.categories[0].reasons)) == {
        ReasonCode.CONSENT_WITHDRAWN,
        ReasonCode.CONSENT_SUPERSEDED,
    }


def test_not_informed_when_the_category_was_not_explained() -> None:
    told = Explanation(
        purposes=frozenset({"care"}),
        data_categories=frozenset({"physical-health"}),
        recipients=frozenset({"LTHT"}),
        leaflet_given=False,
    )
    c = consent(categories=["physical-health", "mental-health"], explanation=told)
    result = check_consent(facts(c), query("physical-health", "mental-health"))
    assert result.covered == ("physical-health",)
    reason = result.category("mental-health").reasons[0]
    assert reason.code is ReasonCode.CONSENT_NOT_INFORMED
    assert reason.clause == "Principle 5"


@pytest.mark.parametrize(
    ("missing", "q"),
    [
        ("purposes", query(purpose="care")),
        ("recipients", query(recipient="LTHT")),
    ],
)
def test_not_informed_about_the_purpose_or_the_recipient(missing: str, q: ConsentQuery) -> None:
    told = {
        "purposes": frozenset({"care"}),
        "data_categories": frozenset({"physical-health"}),
        "recipients": frozenset({"LTHT"}),
    }
    told[missing] = frozenset()
    c = consent(explanation=Explanation(leaflet_given=True, **told))
    assert only_reason(facts(c), q) is ReasonCode.CONSENT_NOT_INFORMED


@pytest.mark.parametrize(
    ("exclusion", "expected"),
    [
        (Exclusion(recipients=frozenset({"WYP"}), note="never to the police"), "recipient"),
        (Exclusion(data_categories=frozenset({"physical-health"})), "category"),
        (Exclusion(purposes=frozenset({"crime"})), "purpose"),
    ],
)
def test_exclusions(exclusion: Exclusion, expected: str) -> None:
    c = consent(purposes=["care", "crime"], recipients=["LTHT", "WYP"], exclusions=[exclusion])
    q = query("physical-health", recipient="WYP", purpose="crime")
    reason = check_consent(facts(c), q).categories[0].reasons[0]
    assert reason.code == f"{expected}-excluded"
    assert reason.clause == "Procedure A1"
    if exclusion.note:
        assert exclusion.note in reason.message


def test_an_exclusion_needs_every_dimension_it_names_to_match() -> None:
    no_mh_to_police = Exclusion(
        recipients=frozenset({"WYP"}), data_categories=frozenset({"mental-health"})
    )
    c = consent(recipients=["LTHT", "WYP"], exclusions=[no_mh_to_police])
    to_police = check_consent(facts(c), query("mental-health", "physical-health", recipient="WYP"))
    assert to_police.covered == ("physical-health",)
    assert check_consent(facts(c), query("mental-health", recipient="LTHT")).all_covered


def test_refused() -> None:
    result = check_consent(facts(refusal("r1")), query("physical-health"))
    reason = result.categories[0].reasons[0]
    assert reason.code is ReasonCode.CONSENT_REFUSED
    assert reason.clause == "Principle 5"
    assert result.refusal_applies
    assert result.refused_by == ("r1",)


def test_a_refusal_out_of_scope_does_not_apply() -> None:
    result = check_consent(
        facts(consent("c1"), refusal("r1", recipients=["WYP"])), query("physical-health")
    )
    assert result.all_covered
    assert not result.refusal_applies


def test_lacks_capacity_own_consent_does_not_count() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    result = check_consent(facts(consent("c1"), assessments=[lacks]), query("physical-health"))
    reason = result.categories[0].reasons[0]
    assert reason.code is ReasonCode.LACKS_CAPACITY
    assert reason.clause == "Procedure A2"
    assert reason.refs == ("c1", "a1")


def test_representative_without_authority() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    carer = Representative("Bob Example", "neighbour and carer", AuthorityKind.OTHER)
    c = consent(decided_by=DecidedBy.REPRESENTATIVE, representative=carer)
    code = only_reason(facts(c, assessments=[lacks]), query())
    assert code is ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY


def test_child_without_competence_assessment() -> None:
    child = facts(consent("c1"), born=date(1990, 3, 1))
    assert only_reason(child, query()) is ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT


def test_age_unknown() -> None:
    assert only_reason(facts(consent(), born=None), query()) is ReasonCode.AGE_UNKNOWN


def test_subject_decides_for_themselves() -> None:
    c = consent(decided_by=DecidedBy.REPRESENTATIVE, representative=lpa())
    assert only_reason(facts(c), query()) is ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES


# --- most restrictive wins ---------------------------------------------------------------


def test_a_refusal_beats_a_consent_covering_the_same_sharing() -> None:
    result = check_consent(facts(consent("c1"), refusal("r1")), query("physical-health"))
    category = result.categories[0]
    assert not category.covered
    assert codes(category.reasons) == [ReasonCode.CONSENT_REFUSED]
    assert result.refused_by == ("r1",)


def test_a_later_consent_does_not_beat_an_earlier_refusal_it_does_not_supersede() -> None:
    result = check_consent(
        facts(refusal("r1"), consent("c1", obtained_at=T0 + DAY)), query(at=T0 + 2 * DAY)
    )
    assert not result.all_covered
    assert result.refusal_applies


def test_a_consent_that_supersedes_a_refusal_replaces_it() -> None:
    result = check_consent(
        facts(refusal("r1"), consent("c1", obtained_at=T0 + DAY, supersedes="r1")),
        query(at=T0 + 2 * DAY),
    )
    assert result.all_covered
    assert not result.refusal_applies


def test_an_exclusion_in_one_consent_restricts_another() -> None:
    broad = consent("broad", recipients=["LTHT", "WYP"])
    police_excluded = consent("narrow", exclusions=[Exclusion(recipients=frozenset({"WYP"}))])
    result = check_consent(facts(broad, police_excluded), query(recipient="WYP"))
    assert codes(result.categories[0].reasons) == [ReasonCode.RECIPIENT_EXCLUDED]


def test_an_exclusion_outlasts_the_withdrawal_of_its_consent() -> None:
    broad = consent("broad", recipients=["LTHT", "WYP"])
    police_excluded = consent(
        "narrow",
        exclusions=[Exclusion(recipients=frozenset({"WYP"}))],
        withdrawal=withdrawal(T0 + DAY),
    )
    result = check_consent(facts(broad, police_excluded), query(recipient="WYP", at=T0 + 2 * DAY))
    assert not result.all_covered


def test_an_exclusion_lapses_when_its_consent_is_superseded() -> None:
    excluded = consent("old", exclusions=[Exclusion(recipients=frozenset({"WYP"}))])
    replaced = consent("new", recipients=["WYP"], supersedes="old", obtained_at=T0 + DAY)
    result = check_consent(facts(excluded, replaced), query(recipient="WYP", at=T0 + 2 * DAY))
    assert result.all_covered


def test_an_exclusion_does_not_apply_before_its_consent_starts() -> None:
    covering = consent("c1", recipients=["WYP"])
    future = consent(
        "c2", valid_from=T0 + 10 * DAY, exclusions=[Exclusion(recipients=frozenset({"WYP"}))]
    )
    assert check_consent(facts(covering, future), query(recipient="WYP")).all_covered


def test_a_refusal_made_by_someone_lacking_capacity_does_not_raise_the_bar() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    attorney = consent("c1", decided_by=DecidedBy.REPRESENTATIVE, representative=lpa())
    result = check_consent(facts(refusal("r1"), attorney, assessments=[lacks]), query())
    assert result.all_covered
    assert not result.refusal_applies


def test_reasons_run_from_most_to_least_specific() -> None:
    result = check_consent(
        facts(
            consent("a", purposes=["research"]),
            consent("b", withdrawal=withdrawal(T0 + DAY / 2)),
            consent("c", categories=["housing"]),
        ),
        query("physical-health"),
    )
    assert codes(result.categories[0].reasons) == [
        ReasonCode.CONSENT_WITHDRAWN,
        ReasonCode.CATEGORY_OUT_OF_SCOPE,
        ReasonCode.PURPOSE_OUT_OF_SCOPE,
    ]


# --- recipients named by agreement -------------------------------------------------------

MH_ISA = IsaContext(reference="ISA-2002-007", parties=frozenset({"LMHST", "LCC"}))


def test_parties_to_an_agreement_are_covered_under_that_agreement() -> None:
    c = consent(recipients=[], isas=["ISA-2002-007"])
    assert check_consent(facts(c), query(recipient="LCC", isa=MH_ISA)).all_covered


def test_an_agreement_scope_does_not_cover_organisations_outside_it() -> None:
    c = consent(recipients=[], isas=["ISA-2002-007"])
    assert only_reason(facts(c), query(recipient="WYP", isa=MH_ISA)) is (
        ReasonCode.RECIPIENT_OUT_OF_SCOPE
    )


def test_an_agreement_scope_needs_the_request_made_under_it() -> None:
    c = consent(recipients=[], isas=["ISA-2002-007"])
    other = IsaContext(reference="ISA-2002-009", parties=frozenset({"LCC"}))
    assert only_reason(facts(c), query(recipient="LCC", isa=other)) is (
        ReasonCode.RECIPIENT_OUT_OF_SCOPE
    )
    assert only_reason(facts(c), query(recipient="LCC")) is ReasonCode.RECIPIENT_OUT_OF_SCOPE


# --- capacity and representatives in the check -------------------------------------------


def test_an_attorney_decides_for_an_adult_who_lacks_capacity() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    attorney = consent(decided_by=DecidedBy.REPRESENTATIVE, representative=lpa())
    assert check_consent(facts(attorney, assessments=[lacks]), query()).all_covered


def test_a_best_interests_decision_covers_for_someone_who_lacks_capacity() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    decided = consent(
        decided_by=DecidedBy.BEST_INTERESTS,
        best_interests_reasons="consulted daughter and GP; sharing supports discharge",
    )
    assert check_consent(facts(decided, assessments=[lacks]), query()).all_covered
    assert only_reason(facts(decided), query()) is ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES


def test_a_parent_decides_for_a_child_under_sixteen() -> None:
    mother = Representative("Cath Example", "mother", AuthorityKind.PARENTAL_RESPONSIBILITY)
    c = consent(decided_by=DecidedBy.REPRESENTATIVE, representative=mother)
    assert check_consent(facts(c, born=date(1992, 1, 1)), query()).all_covered


def test_a_parents_decision_lapses_when_the_child_can_decide() -> None:
    mother = Representative("Cath Example", "mother", AuthorityKind.PARENTAL_RESPONSIBILITY)
    c = consent(decided_by=DecidedBy.REPRESENTATIVE, representative=mother)
    turns_16 = facts(c, born=date(1986, 10, 5))
    assert check_consent(turns_16, query(at=T0 + DAY)).all_covered
    later = query(at=T0 + 5 * DAY)
    assert only_reason(turns_16, later) is ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES


def test_parental_responsibility_is_not_authority_for_an_adult() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    father = Representative("Dan Example", "father", AuthorityKind.PARENTAL_RESPONSIBILITY)
    c = consent(decided_by=DecidedBy.REPRESENTATIVE, representative=father)
    code = only_reason(facts(c, assessments=[lacks]), query())
    assert code is ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY


def test_a_gillick_competent_child_consents_for_themselves() -> None:
    competent = assessment(outcome=CapacityOutcome.HAS_CAPACITY)
    child = facts(consent(), assessments=[competent], born=date(1988, 6, 1))
    assert check_consent(child, query()).all_covered


def test_capacity_is_judged_when_the_consent_was_given() -> None:
    lacks_later = assessment(outcome=CapacityOutcome.LACKS_CAPACITY, assessed_at=T0 + DAY)
    result = check_consent(facts(consent(), assessments=[lacks_later]), query(at=T0 + 2 * DAY))
    assert result.all_covered


def test_capacity_is_decision_specific() -> None:
    lacks_mh = assessment(outcome=CapacityOutcome.LACKS_CAPACITY, categories=["mental-health"])
    result = check_consent(
        facts(consent(), assessments=[lacks_mh]), query("physical-health", "mental-health")
    )
    assert result.covered == ("physical-health",)
    assert result.category("mental-health").reasons[0].code is ReasonCode.LACKS_CAPACITY


# --- lifecycle ---------------------------------------------------------------------------


def test_status_through_a_consents_life() -> None:
    c = consent("c1", valid_from=T0 + DAY, withdrawal=withdrawal(T0 + 3 * DAY))
    newer = consent("c2", obtained_at=T0 + 5 * DAY, supersedes="c1")
    history = facts(c, newer)
    assert status_at(c, history, T0) is ConsentStatus.NOT_YET_VALID
    assert status_at(c, history, T0 + 2 * DAY) is ConsentStatus.ACTIVE
    assert status_at(c, history, T0 + 4 * DAY) is ConsentStatus.WITHDRAWN
    assert status_at(c, history, T0 + 6 * DAY) is ConsentStatus.SUPERSEDED
    expiring = consent("c3", valid_until=T0 + DAY)
    assert status_at(expiring, facts(expiring), T0 + 2 * DAY) is ConsentStatus.EXPIRED
    refused = refusal("r1")
    assert status_at(refused, facts(refused), T0 + DAY) is ConsentStatus.REFUSED
    assert ConsentDecision.REFUSED == "refused"


# --- bad queries -------------------------------------------------------------------------


def test_a_query_needs_a_category_and_an_aware_moment() -> None:
    with pytest.raises(InputError, match="at least one data category"):
        ConsentQuery(recipient="LTHT", purpose="care", data_categories=(), at=T0)
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        ConsentQuery(
            recipient="LTHT", purpose="care", data_categories=("x",), at=T0.replace(tzinfo=None)
        )
