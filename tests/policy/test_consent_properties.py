"""Properties of the consent check that hold for any records (Procedure A4, Principle 5).

Withdrawing, narrowing or excluding never covers more; a refusal never covers more; a
withdrawn consent covers nothing from its withdrawal on; the order of records changes
nothing; and every answer explains itself with reasons citing their clauses.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.domain.capacity import CapacityAssessment, CapacityOutcome
from infoshare.domain.consent import (
    AuthorityKind,
    Consent,
    ConsentDecision,
    ConsentFacts,
    ConsentScope,
    DecidedBy,
    Exclusion,
    Explanation,
    Representative,
)
from infoshare.policy.consent import ConsentCoverage, ConsentQuery, IsaContext, check_consent
from infoshare.policy.reasons import CLAUSES, CONSENT_CODES, ReasonCode
from tests.policy.builders import SUBJECT, T0, assessment, consent, withdrawal

ORGS = ("LTHT", "LCC", "WYP")
PURPOSES = ("care", "crime", "research")
CATEGORIES = ("physical-health", "mental-health", "housing")
ISA = IsaContext(reference="ISA-1", parties=frozenset({"LCC", "WYP"}))
HOUR = timedelta(hours=1)
#: adult; turns sixteen inside the window; a child throughout; unknown
BIRTHS = (date(1960, 5, 17), date(1986, 10, 5), date(1992, 1, 1), None)

#: every property runs on many generated histories; none is timed, since the machine is shared
PROPERTY = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

moments = st.integers(min_value=0, max_value=240).map(lambda h: T0 + h * HOUR)


def subset(universe: tuple[str, ...], *, min_size: int = 0) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(universe), min_size=min_size)


# Strategies are built once here: building them inside a composite costs more than drawing.
some_purposes, any_purposes = subset(PURPOSES, min_size=1), subset(PURPOSES)
some_categories, any_categories = subset(CATEGORIES, min_size=1), subset(CATEGORIES)
some_orgs, any_orgs = subset(ORGS, min_size=1), subset(ORGS)
any_isas = subset(("ISA-1",))
maybe_moment = st.none() | moments
hours = st.integers(0, 200)
deciders = st.sampled_from(tuple(DecidedBy))
outcomes = st.sampled_from(tuple(CapacityOutcome))


representatives = st.sampled_from(
    (
        Representative("Ann Example", "daughter", AuthorityKind.LPA_HEALTH_AND_WELFARE, "LPA-1"),
        Representative("Cath Example", "mother", AuthorityKind.PARENTAL_RESPONSIBILITY),
        Representative("Bob Example", "carer", AuthorityKind.OTHER),
        Representative("Dee Example", "deputy", AuthorityKind.COURT_APPOINTED_DEPUTY, "COP-9"),
    )
)

exclusions = (
    st.tuples(any_orgs, any_categories, any_purposes)
    .filter(any)
    .map(lambda parts: Exclusion(recipients=parts[0], data_categories=parts[1], purposes=parts[2]))
)


@st.composite
def consents(
    draw: st.DrawFn, consent_id: str, earlier: tuple[str, ...], refused: bool | None = None
) -> Consent:
    if refused is None:
        refused = draw(st.integers(0, 3)) == 0
    decision = ConsentDecision.REFUSED if refused else ConsentDecision.GIVEN
    obtained_at = draw(moments)
    valid_from = draw(maybe_moment)
    start = obtained_at if valid_from is None or valid_from < obtained_at else valid_from
    until_hours = draw(st.none() | hours)
    valid_until = None if until_hours is None else start + (until_hours + 1) * HOUR
    who = draw(deciders)
    scope = ConsentScope(
        purposes=draw(some_purposes),
        data_categories=draw(some_categories),
        recipients=draw(some_orgs),
        recipient_isas=draw(any_isas),
    )
    told = draw(st.booleans())
    explanation = Explanation(
        purposes=scope.purposes if told else draw(any_purposes),
        data_categories=scope.data_categories if told else draw(any_categories),
        recipients=scope.recipients | scope.recipient_isas if told else draw(any_orgs),
        leaflet_given=draw(st.booleans()),
    )
    given_consent = decision is ConsentDecision.GIVEN
    withdrawn = None
    if given_consent and draw(st.booleans()):
        withdrawn = withdrawal(obtained_at + draw(hours) * HOUR)
    return consent(
        consent_id,
        decision=decision,
        purposes=scope.purposes,
        categories=scope.data_categories,
        recipients=scope.recipients,
        isas=scope.recipient_isas,
        obtained_at=obtained_at,
        valid_from=valid_from,
        valid_until=valid_until,
        exclusions=draw(st.lists(exclusions, max_size=2)) if given_consent else (),
        decided_by=who,
        representative=draw(representatives) if who is DecidedBy.REPRESENTATIVE else None,
        best_interests_reasons="consulted family" if who is DecidedBy.BEST_INTERESTS else None,
        supersedes=draw(st.none() | st.sampled_from(earlier)) if earlier else None,
        withdrawal=withdrawn,
        explanation=explanation,
    )


@st.composite
def assessments(draw: st.DrawFn, assessment_id: str) -> CapacityAssessment:
    return assessment(
        assessment_id,
        outcome=draw(outcomes),
        purposes=draw(some_purposes),
        categories=draw(some_categories),
        assessed_at=draw(moments) - 24 * HOUR,
    )


@st.composite
def subject_facts(draw: st.DrawFn) -> ConsentFacts:
    records: list[Consent] = []
    for index in range(draw(st.integers(0, 5))):
        records.append(draw(consents(f"c{index}", tuple(c.id for c in records))))
    found = [draw(assessments(f"a{index}")) for index in range(draw(st.integers(0, 3)))]
    return ConsentFacts(SUBJECT, draw(st.sampled_from(BIRTHS)), tuple(records), tuple(found))


queries = st.builds(
    ConsentQuery,
    recipient=st.sampled_from(ORGS),
    purpose=st.sampled_from(PURPOSES),
    data_categories=st.just(CATEGORIES),
    at=moments,
    isa=st.none() | st.just(ISA),
)


def covered(result: ConsentCoverage) -> set[str]:
    return set(result.covered)


def with_consent(facts: ConsentFacts, changed: Consent) -> ConsentFacts:
    return replace(
        facts, consents=tuple(changed if c.id == changed.id else c for c in facts.consents)
    )


def given_consents(facts: ConsentFacts) -> list[Consent]:
    return [c for c in facts.consents if c.decision is ConsentDecision.GIVEN]


@PROPERTY
@given(subject_facts(), queries, st.data())
def test_withdrawing_a_consent_never_covers_more(
    facts: ConsentFacts, query: ConsentQuery, data: st.DataObject
) -> None:
    candidates = [c for c in given_consents(facts) if c.withdrawal is None]
    if not candidates:
        return
    chosen = data.draw(st.sampled_from(candidates))
    at = chosen.obtained_at + data.draw(st.integers(0, 300)) * HOUR
    after = with_consent(facts, chosen.withdraw(withdrawal(at), now=at))
    assert covered(check_consent(after, query)) <= covered(check_consent(facts, query))


@PROPERTY
@given(subject_facts(), queries, st.data())
def test_narrowing_a_consent_never_covers_more(
    facts: ConsentFacts, query: ConsentQuery, data: st.DataObject
) -> None:
    candidates = given_consents(facts)
    if not candidates:
        return
    chosen = data.draw(st.sampled_from(candidates))
    scope = chosen.scope

    def narrower(names: frozenset[str], min_size: int) -> frozenset[str]:
        return (
            data.draw(st.frozensets(st.sampled_from(sorted(names)), min_size=min_size))
            if (names)
            else names
        )

    recipients = narrower(scope.recipients, 1)
    narrowed = ConsentScope(
        purposes=narrower(scope.purposes, 1),
        data_categories=narrower(scope.data_categories, 1),
        recipients=recipients,
        recipient_isas=narrower(scope.recipient_isas, 0 if recipients else 1),
    )
    after = with_consent(facts, replace(chosen, scope=narrowed))
    assert covered(check_consent(after, query)) <= covered(check_consent(facts, query))


@PROPERTY
@given(subject_facts(), queries, exclusions, st.data())
def test_adding_an_exclusion_never_covers_more(
    facts: ConsentFacts, query: ConsentQuery, exclusion: Exclusion, data: st.DataObject
) -> None:
    candidates = given_consents(facts)
    if not candidates:
        return
    chosen = data.draw(st.sampled_from(candidates))
    after = with_consent(facts, replace(chosen, exclusions=(*chosen.exclusions, exclusion)))
    assert covered(check_consent(after, query)) <= covered(check_consent(facts, query))


@PROPERTY
@given(subject_facts(), queries, st.data())
def test_recording_a_refusal_never_covers_more(
    facts: ConsentFacts, query: ConsentQuery, data: st.DataObject
) -> None:
    refused = data.draw(
        consents("refusal", ()).filter(lambda c: c.decision is ConsentDecision.REFUSED)
    )
    after = replace(facts, consents=(*facts.consents, refused))
    assert covered(check_consent(after, query)) <= covered(check_consent(facts, query))


@PROPERTY
@given(subject_facts(), queries)
def test_a_withdrawn_consent_covers_nothing_after_its_withdrawal(
    facts: ConsentFacts, query: ConsentQuery
) -> None:
    result = check_consent(facts, query)
    for record in facts.consents:
        if record.withdrawal is not None and record.withdrawal.at <= query.at:
            assert all(record.id not in c.covered_by for c in result.categories)


@PROPERTY
@given(subject_facts(), queries, st.randoms(use_true_random=False))
def test_the_order_of_records_changes_nothing(
    facts: ConsentFacts, query: ConsentQuery, shuffler: random.Random
) -> None:
    consents_shuffled = list(facts.consents)
    assessments_shuffled = list(facts.assessments)
    shuffler.shuffle(consents_shuffled)
    shuffler.shuffle(assessments_shuffled)
    shuffled = replace(
        facts, consents=tuple(consents_shuffled), assessments=tuple(assessments_shuffled)
    )
    assert check_consent(shuffled, query) == check_consent(facts, query)


@PROPERTY
@given(subject_facts(), queries)
def test_every_answer_explains_itself(facts: ConsentFacts, query: ConsentQuery) -> None:
    result = check_consent(facts, query)
    assert [c.category for c in result.categories] == list(query.data_categories)
    for category in result.categories:
        assert category.reasons
        for found in category.reasons:
            assert found.code in CONSENT_CODES
            assert found.clause == CLAUSES[found.code]
            assert found.message
            assert not found.message[0].isupper()
        if category.covered:
            assert [r.code for r in category.reasons] == [ReasonCode.CONSENT_COVERS]
            assert category.covered_by == tuple(sorted(category.covered_by))
        else:
            assert ReasonCode.CONSENT_COVERS not in {r.code for r in category.reasons}
    refused = {
        r.refs[0]
        for c in result.categories
        for r in c.reasons
        if r.code is ReasonCode.CONSENT_REFUSED
    }
    assert set(result.refused_by) == refused
    assert result.refusal_applies is bool(refused)


@PROPERTY
@given(subject_facts(), queries)
def test_a_covering_consent_is_given_in_force_and_in_scope(
    facts: ConsentFacts, query: ConsentQuery
) -> None:
    by_id = {c.id: c for c in facts.consents}
    at: datetime = query.at
    for category in check_consent(facts, query).categories:
        for consent_id in category.covered_by:
            record = by_id[consent_id]
            assert record.decision is ConsentDecision.GIVEN
            assert record.starts_at <= at
            assert record.valid_until is None or at < record.valid_until
            assert query.purpose in record.scope.purposes
            assert category.category in record.scope.data_categories
