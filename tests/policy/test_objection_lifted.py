"""Properties of objections and restrictions as the shell stores them (Principles 4, 5): a
lifted objection or ended restriction stops applying exactly at its end, and adding one
(lifted or not) never lets more be shared."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from infoshare.policy.decide import decide
from infoshare.policy.decision import DisclosureRequest, Objection, Restriction
from tests.policy.test_decide_properties import (
    CATEGORIES,
    ORGS,
    PROPERTY,
    PURPOSES,
    assert_not_raised,
    base_policy,
    scenarios,
)

offsets = st.integers(min_value=-30, max_value=30).map(lambda d: timedelta(days=d))


@st.composite
def objections(draw: st.DrawFn, request: DisclosureRequest) -> Objection:
    start = request.at + draw(offsets)
    lifted = draw(st.one_of(st.none(), offsets.map(lambda d: start + abs(d))))
    return Objection(
        "o-new",
        start,
        draw(st.frozensets(st.sampled_from(ORGS), max_size=2)),
        draw(st.frozensets(st.sampled_from(PURPOSES), max_size=2)),
        draw(st.frozensets(st.sampled_from(CATEGORIES), max_size=3)),
        until=lifted,
    )


@PROPERTY
@given(st.data())
def test_adding_an_objection_never_permits_more(data: st.DataObject) -> None:
    request, facts = data.draw(scenarios())
    objection = data.draw(objections(request))
    more = dataclasses.replace(facts, objections=(*facts.objections, objection))
    before = decide(request, base_policy(), facts)
    after = decide(request, base_policy(), more)
    assert_not_raised(before, after, request.data_categories)


@PROPERTY
@given(st.data())
def test_adding_a_restriction_never_permits_more(data: st.DataObject) -> None:
    request, facts = data.draw(scenarios())
    restriction = Restriction(
        "r-new",
        data.draw(st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=3)),
        "court order",
        until=data.draw(st.one_of(st.none(), offsets.map(lambda d: request.at + d))),
    )
    more = dataclasses.replace(facts, restrictions=(*facts.restrictions, restriction))
    before = decide(request, base_policy(), facts)
    after = decide(request, base_policy(), more)
    assert_not_raised(before, after, request.data_categories)


@PROPERTY
@given(st.data())
def test_a_lifted_objection_applies_before_its_end_and_never_from_it(
    data: st.DataObject,
) -> None:
    request, _ = data.draw(scenarios())
    objection = data.draw(objections(request))
    standing = dataclasses.replace(objection, until=None)
    for category in request.data_categories:
        applies = objection.applies(request.recipient, request.purpose, category, request.at)
        would = standing.applies(request.recipient, request.purpose, category, request.at)
        if objection.until is not None and request.at >= objection.until:
            assert not applies
        else:
            assert applies == would
