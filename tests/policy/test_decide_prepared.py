"""decide()'s answers made from prepared parts are the general path's (Principles 4, 5, 6;
Procedures A4, A5).

decide() answers the commonest requests from parts made once per kind of request and from
the consent index's quick answers (docs/decisions.md, "Speed"): an explicit refusal that
applies, and a statutory claim referred to a designated officer where no consent names the
sharing, among them. Here the same request is decided again on the general path (an
objection about nobody makes decide() take it), with an index that leaves every category
consent does not cover to the consent check (``check_consent``): every decision, reasons
and sentences included, must be the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from infoshare.domain.consent import ConsentDecision, ConsentFacts
from infoshare.policy.consent import IsaContext
from infoshare.policy.consent_index import ConsentIndex, QuickAnswers
from infoshare.policy.decide import decide
from infoshare.policy.decision import (
    ClaimedBasis,
    ClaimKind,
    DisclosureRequest,
    Objection,
    Outcome,
    SubjectFacts,
)
from infoshare.policy.reasons import ReasonCode
from tests.policy.builders import consent
from tests.policy.test_decide_properties import (
    BORN,
    CATEGORIES,
    ORGS,
    PROPERTY,
    PURPOSES,
    SUBJECT,
    T0,
    _grounds_allowed,
    base_policy,
    given_consents,
    policy,
    requests,
    scenarios,
)


class _Deferring(ConsentIndex):
    """An index that settles only what consent covers: every other category (refused, or
    not covered) goes to check_consent."""

    __slots__ = ()

    def answers(
        self,
        recipient: str,
        isa: IsaContext | None,
        purpose: str,
        categories: tuple[str, ...],
        at: datetime,
    ) -> QuickAnswers:
        quick = super().answers(recipient, isa, purpose, categories, at)
        rest = tuple(c for c in categories if c not in quick.covered)
        return QuickAnswers(quick.covered, {}, {}, rest)


#: an objection about nobody: decide() then takes its general path for everyone
ELSEWHERE = Objection("o-else", T0, recipients=frozenset({"NOBODY"}))


def general(subject: SubjectFacts) -> SubjectFacts:
    """``subject`` with an index that asks check_consent about all it does not cover, and
    an objection about nobody, so that decide() takes its general path."""
    copy = SubjectFacts(
        subject.consent,
        (*subject.objections, ELSEWHERE),
        subject.restrictions,
        subject.confidential,
    )
    index = subject.consent_index
    object.__setattr__(copy, "consent_index", _Deferring(index.facts, index.entries))
    return copy


@st.composite
def refusals(draw: st.DrawFn) -> tuple[DisclosureRequest, SubjectFacts]:
    """A request, and a person who refused much of what it asks (perhaps not all, perhaps
    not yet in force), with consents that may or may not name the sharing."""
    request = draw(requests())
    if draw(st.booleans()):
        # a statutory claim, justified, on a ground the agreement may allow: a referral
        request = replace(
            request,
            basis=replace(
                request.basis, kind=ClaimKind.STATUTORY, justification="the child may be at risk"
            ),
            approval=None if draw(st.integers(0, 3)) else request.approval,
        )
    about = request if draw(st.integers(0, 3)) else None
    records = [draw(given_consents(f"c{i}", about)) for i in range(draw(st.integers(0, 2)))]
    for number in range(draw(st.integers(1, 2))):
        asked = draw(st.lists(st.sampled_from(request.data_categories), min_size=1))
        records.append(
            consent(
                f"r{number}",
                decision=ConsentDecision.REFUSED,
                purposes={request.purpose, *draw(st.sets(st.sampled_from(PURPOSES)))},
                categories={*asked, *draw(st.sets(st.sampled_from(CATEGORIES)))},
                recipients={request.recipient, *draw(st.sets(st.sampled_from(ORGS)))},
                obtained_at=T0 - timedelta(days=draw(st.integers(1, 60))),
                # now and then one that starts only after the moment asked about
                valid_from=(
                    T0 + timedelta(days=draw(st.integers(0, 200)))
                    if draw(st.integers(0, 4)) == 4
                    else None
                ),
                subject_id=SUBJECT,
            )
        )
    return request, SubjectFacts(ConsentFacts(SUBJECT, BORN, tuple(records)))


@PROPERTY
@given(refusals())
def test_a_refusal_is_decided_as_the_consent_check_says(
    scenario: tuple[DisclosureRequest, SubjectFacts],
) -> None:
    """An applying refusal the index answers itself: the same decision as the full check."""
    request, subject = scenario
    assert decide(request, base_policy(), subject) == decide(request, policy(), general(subject))


@PROPERTY
@given(scenarios())
def test_any_request_is_decided_as_on_the_general_path(
    scenario: tuple[DisclosureRequest, SubjectFacts],
) -> None:
    """Referrals where no consent names the sharing, and everything else the prepared parts
    answer, come out as the general path decides them."""
    request, subject = scenario
    assert decide(request, base_policy(), subject) == decide(request, policy(), general(subject))


def _discharge(kind: ClaimKind, grounds: tuple[str, ...]) -> DisclosureRequest:
    """The social worker asks the hospital about a discharge, on an agreed route."""
    return DisclosureRequest(
        requester="lcc-sw",
        provider="LTHT",
        recipient="LCC",
        subject_id=SUBJECT,
        purpose="care",
        data_categories=("identity", "physical-health"),
        transfer_method="email",
        at=T0 + timedelta(days=3),
        basis=ClaimedBasis(kind, grounds, "she may be at risk at home"),
    )


def test_a_refusal_the_index_settles_denies_with_the_consent_checks_reasons() -> None:
    request = _discharge(ClaimKind.CONSENT, ())
    refusal = consent(
        "r1",
        decision=ConsentDecision.REFUSED,
        purposes={"care"},
        categories={"identity", "physical-health"},
        recipients={"LCC"},
        obtained_at=T0 - timedelta(days=5),
        subject_id=SUBJECT,
    )
    subject = SubjectFacts(ConsentFacts(SUBJECT, BORN, (refusal,)))
    quick = subject.consent_index.answers("LCC", None, "care", request.data_categories, request.at)
    assert set(quick.refused) == {"identity", "physical-health"}  # not left to check_consent
    decision = decide(request, base_policy(), subject)
    assert decision.outcome is Outcome.DENY
    for withheld in decision.withheld:
        assert [(r.code, r.refs) for r in withheld.reasons] == [
            (ReasonCode.CONSENT_REFUSED, ("r1",))
        ]
        assert f"refused consent to share `{withheld.category}` with `LCC`" in str(
            withheld.reasons[0]
        )
    assert decision == decide(request, policy(), general(subject))


def test_a_justified_statutory_claim_without_consent_is_referred_as_on_the_general_path() -> None:
    grounds = tuple(_grounds_allowed("LTHT", "LCC", "care")[:1])
    assert grounds, "the discharge agreement allows a statutory ground for care"
    request = _discharge(ClaimKind.STATUTORY, grounds)
    other = consent("c1", purposes={"planning"}, recipients={"LCC"}, subject_id=SUBJECT)
    subject = SubjectFacts(ConsentFacts(SUBJECT, BORN, (other,)))
    decision = decide(request, base_policy(), subject)
    assert decision == decide(request, policy(), general(subject))
    assert decision.outcome in (Outcome.REFER, Outcome.DENY)
    if decision.outcome is Outcome.REFER:
        assert decision.basis.approval_required
        codes = [r.code for r in decision.reasons]
        assert ReasonCode.PURPOSE_OUT_OF_SCOPE in codes  # why consent is no basis, kept
        assert codes[-1] is ReasonCode.REFERRAL_NEEDED
