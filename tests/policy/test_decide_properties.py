"""Properties of decide() that hold for any request and facts (Principles 4–11, 14).

The order used (docs/decisions.md, "The lattice"): each category asked is withheld (0) <
referred (1) < anonymised (2) < permitted (3); the outcome is the most any category reached,
deny < refer < permit_anonymised < permit. Taking something away (a purpose, a grant or a
transfer method of an agreement, the scope of a consent, a role, training) never raises any
category and never raises the outcome. The order of facts changes nothing; decide() never
raises; and the consent index answers exactly as the consent check does.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.agreements import EXAMPLES_DIR
from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.domain.consent import Consent, ConsentDecision, ConsentFacts, Exclusion
from infoshare.policy.compile import Policy, StaffMember, compile_policy
from infoshare.policy.consent import ConsentQuery, check_consent
from infoshare.policy.consent_index import index_consents
from infoshare.policy.decide import decide
from infoshare.policy.decision import (
    OUTCOME_RANK,
    Approval,
    ClaimedBasis,
    ClaimKind,
    ConfidentialItem,
    Decision,
    DisclosureRequest,
    Objection,
    PriorDisclosure,
    Restriction,
    SubjectFacts,
)
from infoshare.policy.reasons import ReasonCode
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import ProtocolPack
from tests.policy.builders import consent
from tests.policy.decision_cases import POLICIES
from tests.policy.test_consent_properties import queries, subject_facts

PROPERTY = settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])

SUBJECT = "subject-p"
BORN = date(1950, 3, 2)
T0 = datetime(2003, 6, 2, 10, tzinfo=UTC)
ORGS = ("LTHT", "LCC", "EDL", "WYP", "LMHST", "WLPCT")
PURPOSES = ("care", "protection", "crime", "planning", "support")
CATEGORIES = (
    "identity",
    "nhs-number",
    "physical-health",
    "social-care-needs",
    "education",
    "child-protection",
    "risk-assessment",
    "mental-health",
    "offences",
)
METHODS = ("email", "verbal", "post", "fax")
GROUNDS = ("ca-1989-s47", "public-interest", "cda-1998-s115", "dpa-1998-sch2-4", "mha-1983-s117")
OFFICERS = ("edl-teacher", "edl-do2", "ltht-do", "lcc-do", "wyp-do", "lmhst-do", "lcc-sw")
EXAMPLES = (
    "hospital-discharge",
    "child-protection",
    "mental-health-crisis",
    "planning-statistics",
)


@cache
def pack() -> ProtocolPack:
    return load_pack_reference("leeds-2002")


@cache
def agreements() -> tuple[InformationSharingAgreement, ...]:
    return tuple(
        parse_agreement((EXAMPLES_DIR / f"{name}.yaml").read_text(encoding="utf-8"), name).agreement
        for name in EXAMPLES
    )


@cache
def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((POLICIES / "leeds.json").read_text(encoding="utf-8"))
    return data


@cache
def staff() -> tuple[StaffMember, ...]:
    return tuple(
        StaffMember(
            s["id"],
            s["organisation"],
            frozenset(s["roles"]),
            s.get("active", True),
            date.fromisoformat(s["trained_on"]) if s.get("trained_on") else None,
        )
        for s in fixture()["staff"]
    )


def adopted() -> dict[str, date]:
    return {k: date.fromisoformat(v) for k, v in fixture()["adopted_on"].items()}


def policy(
    isas: tuple[InformationSharingAgreement, ...] | None = None,
    people: tuple[StaffMember, ...] | None = None,
) -> Policy:
    return compile_policy(
        pack(),
        agreements() if isas is None else isas,
        staff() if people is None else people,
        adopted_on=adopted(),
    )


@cache
def base_policy() -> Policy:
    return policy()


staff_ids = st.sampled_from([s.id for s in staff()] + ["nobody"])
category_lists = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=5, unique=True)


@st.composite
def bases(draw: st.DrawFn) -> ClaimedBasis:
    kind = draw(st.sampled_from(tuple(ClaimKind)))
    return ClaimedBasis(
        kind=kind,
        legal_grounds=tuple(
            draw(st.lists(st.sampled_from(GROUNDS), min_size=1, max_size=2, unique=True))
        ),
        justification=draw(st.sampled_from(("the child may be at risk", "necessary", ""))),
        emergency_reason=draw(st.sampled_from(("collapsed at home", "overdose", ""))),
    )


#: routes the example agreements cover, with who asks on them, so most requests get far
#: enough to test the later rules; one in five requests is drawn at random instead
DISCHARGE = ("identity", "nhs-number", "physical-health", "social-care-needs", "housing")
PROTECTION = ("identity", "education", "child-protection", "physical-health", "risk-assessment")
ROUTES = (
    (
        "LTHT",
        "LCC",
        ("care",),
        ("lcc-sw", "lcc-clerk", "lcc-do", "ltht-nurse", "ltht-lapsed"),
        ("email", "fax"),
        DISCHARGE,
    ),
    ("LCC", "LTHT", ("care",), ("ltht-nurse", "ltht-do", "lcc-sw"), ("email", "verbal"), DISCHARGE),
    (
        "EDL",
        "LCC",
        ("protection",),
        ("lcc-sw", "lcc-do", "edl-teacher"),
        ("verbal", "post"),
        PROTECTION,
    ),
    (
        "LCC",
        "WYP",
        ("crime", "protection"),
        ("wyp-officer", "wyp-do", "lcc-sw"),
        ("verbal",),
        ("identity", "offences", "child-protection", "risk-assessment"),
    ),
    (
        "WYP",
        "LMHST",
        ("care", "protection"),
        ("lmhst-nurse", "wyp-officer"),
        ("verbal",),
        ("identity", "mental-health", "risk-assessment"),
    ),
    (
        "WLPCT",
        "LCC",
        ("planning", "commissioning"),
        ("lcc-lead",),
        ("email",),
        ("identity", "physical-health", "mental-health", "social-care-needs"),
    ),
    ("LCC", "EDL", ("protection",), ("edl-teacher",), ("verbal",), PROTECTION),
)


ORGANISATION_OF = {s["id"]: s["organisation"] for s in fixture()["staff"]}
#: the role named for the receiver: usually none when asking for oneself, usually one when sending
ROLES_ASKED = {
    False: (None, None, None, "practitioner"),
    True: ("practitioner", "practitioner", "designated-officer", None),
}


def _grounds_allowed(provider: str, recipient: str, purpose: str) -> list[str]:
    found: set[str] = set()
    for reference in base_policy().routes.get((provider, recipient, purpose), ()):
        agreed = base_policy().agreements[reference].purposes.get(purpose)
        if agreed is not None:
            found |= agreed.legal_grounds
    return sorted(found)


@st.composite
def requests(draw: st.DrawFn) -> DisclosureRequest:
    if draw(st.integers(0, 4)) == 4:
        provider, recipient = draw(
            st.lists(st.sampled_from(ORGS), min_size=2, max_size=2, unique=True)
        )
        purpose = draw(st.sampled_from(PURPOSES))
        requester = draw(staff_ids)
        method = draw(st.sampled_from(METHODS))
        categories = tuple(draw(category_lists))
    else:
        provider, recipient, purposes, askers, methods, usual = draw(st.sampled_from(ROUTES))
        purpose = draw(st.sampled_from(purposes))
        requester = draw(st.sampled_from(askers))
        method = draw(st.sampled_from(methods))
        wanted = st.sampled_from(usual) | st.sampled_from(CATEGORIES)
        categories = tuple(draw(st.lists(wanted, min_size=1, max_size=4, unique=True)))
    basis = draw(bases())
    allowed = _grounds_allowed(provider, recipient, purpose)
    if allowed and draw(st.integers(0, 3)) < 3:
        # usually a ground the agreement allows, so the later rules are reached
        basis = replace(basis, legal_grounds=(draw(st.sampled_from(allowed)),))
    approval = None
    if draw(st.integers(0, 2)) == 2:
        approval = Approval(
            officer_id=draw(
                st.sampled_from(sorted(base_policy().designated_officers.get(provider, ())))
                | st.sampled_from(OFFICERS)
                if provider in base_policy().designated_officers
                else st.sampled_from(OFFICERS)
            ),
            subject_id=SUBJECT,
            purpose=purpose,
            legal_grounds=basis.legal_grounds,
            data_categories=tuple(draw(st.lists(st.sampled_from(categories), unique=True))),
            at=T0 - timedelta(hours=1),
        )
    prior = None
    if draw(st.integers(0, 4)) == 4:
        prior = PriorDisclosure(
            "d1",
            recipient=draw(st.sampled_from((provider, recipient))),
            purpose=draw(st.sampled_from(PURPOSES)),
            data_categories=tuple(draw(category_lists)),
        )
    return DisclosureRequest(
        requester=requester,
        provider=provider,
        recipient=recipient,
        subject_id=SUBJECT,
        purpose=purpose,
        data_categories=categories,
        transfer_method=method,
        at=T0 + timedelta(days=draw(st.integers(0, 200))),
        basis=basis,
        recipient_role=draw(
            st.sampled_from(ROLES_ASKED[ORGANISATION_OF.get(requester) == provider])
        ),
        derived_from=prior,
        approval=approval,
    )


@st.composite
def given_consents(
    draw: st.DrawFn, consent_id: str, request: DisclosureRequest | None = None
) -> Consent:
    purposes = draw(st.frozensets(st.sampled_from(PURPOSES), min_size=1, max_size=4))
    categories = draw(st.frozensets(st.sampled_from(CATEGORIES), min_size=3))
    recipients = draw(st.frozensets(st.sampled_from(ORGS), min_size=2))
    if request is not None and draw(st.integers(0, 3)) < 3:
        # most consents are about the request, so the check gets past "not in scope"
        purposes |= {request.purpose}
        recipients |= {request.recipient}
        categories |= set(draw(st.lists(st.sampled_from(request.data_categories))))
    return consent(
        consent_id,
        purposes=purposes,
        categories=categories,
        recipients=recipients,
        obtained_at=T0 - timedelta(days=draw(st.integers(1, 30))),
        exclusions=draw(
            st.lists(
                st.builds(
                    Exclusion,
                    recipients=st.frozensets(st.sampled_from(ORGS), max_size=1),
                    data_categories=st.frozensets(
                        st.sampled_from(CATEGORIES), min_size=1, max_size=1
                    ),
                ),
                max_size=1,
            )
        ),
        subject_id=SUBJECT,
    )


@st.composite
def facts(draw: st.DrawFn, request: DisclosureRequest | None = None) -> SubjectFacts:
    records = [draw(given_consents(f"c{i}", request)) for i in range(draw(st.integers(0, 3)))]
    if draw(st.integers(0, 3)) == 3:
        records.append(
            consent(
                "r1",
                decision=ConsentDecision.REFUSED,
                purposes=draw(st.frozensets(st.sampled_from(PURPOSES), min_size=1)),
                categories=draw(st.frozensets(st.sampled_from(CATEGORIES), min_size=1)),
                recipients=draw(st.frozensets(st.sampled_from(ORGS), min_size=1)),
                obtained_at=T0 - timedelta(days=40),
                subject_id=SUBJECT,
            )
        )
    objections: tuple[Objection, ...] = ()
    if draw(st.integers(0, 4)) == 4:
        objections = (
            Objection(
                "o1", T0 - timedelta(days=2), recipients=frozenset({draw(st.sampled_from(ORGS))})
            ),
        )
    return SubjectFacts(ConsentFacts(SUBJECT, BORN, tuple(records)), objections=objections)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[DisclosureRequest, SubjectFacts]:
    request = draw(requests())
    return request, draw(facts(request))


def assert_not_raised(before: Decision, after: Decision, asked: tuple[str, ...]) -> None:
    """No category got further after the change, and neither did the outcome."""
    for category in asked:
        assert after.state(category) <= before.state(category), (category, before, after)
    assert OUTCOME_RANK[after.outcome] <= OUTCOME_RANK[before.outcome]


def narrowed_agreement(
    isa: InformationSharingAgreement, how: int, pick: int
) -> InformationSharingAgreement:
    """``isa`` with one thing taken away: a purpose, a granted category, or a transfer method."""
    if how == 0 and len(isa.purposes) > 1:
        return isa.model_copy(
            update={
                "purposes": [p for i, p in enumerate(isa.purposes) if i != pick % len(isa.purposes)]
            }
        )
    if how == 1 and isa.need_to_know:
        index = pick % len(isa.need_to_know)
        row = isa.need_to_know[index]
        rows = list(isa.need_to_know)
        if len(row.categories) > 1:
            rows[index] = row.model_copy(update={"categories": row.categories[1:]})
        else:
            del rows[index]
        return isa.model_copy(update={"need_to_know": rows})
    if isa.transfer_methods:
        methods = [
            m for i, m in enumerate(isa.transfer_methods) if i != pick % len(isa.transfer_methods)
        ]
        return isa.model_copy(update={"transfer_methods": methods})
    return isa


@PROPERTY
@given(scenarios(), st.integers(0, len(EXAMPLES) - 1), st.integers(0, 2), st.integers(0, 9))
def test_narrowing_an_agreement_never_permits_more(
    scenario: tuple[DisclosureRequest, SubjectFacts], which: int, how: int, pick: int
) -> None:
    request, subject = scenario
    before = decide(request, base_policy(), subject)
    isas = list(agreements())
    isas[which] = narrowed_agreement(isas[which], how, pick)
    after = decide(request, policy(tuple(isas)), subject)
    assert_not_raised(before, after, request.data_categories)


@PROPERTY
@given(scenarios(), st.integers(0, 9), st.integers(0, 2), st.data())
def test_narrowing_a_consent_never_permits_more(
    scenario: tuple[DisclosureRequest, SubjectFacts], pick: int, how: int, data: st.DataObject
) -> None:
    request, subject = scenario
    given_records = [c for c in subject.consent.consents if c.decision is ConsentDecision.GIVEN]
    if not given_records:
        return
    chosen = given_records[pick % len(given_records)]
    scope = chosen.scope
    name = ("purposes", "data_categories", "recipients")[how]
    values = getattr(scope, name)
    if len(values) > 1:
        dropped = data.draw(st.sampled_from(sorted(values)))
        narrowed = replace(chosen, scope=replace(scope, **{name: values - {dropped}}))
        records = tuple(narrowed if c is chosen else c for c in subject.consent.consents)
    elif not chosen.exclusions:
        records = tuple(c for c in subject.consent.consents if c is not chosen)
    else:
        return
    after_facts = replace(subject, consent=replace(subject.consent, consents=records))
    before = decide(request, base_policy(), subject)
    after = decide(request, base_policy(), after_facts)
    assert_not_raised(before, after, request.data_categories)


@PROPERTY
@given(scenarios(), st.integers(0, 100), st.sampled_from(("role", "training", "active")))
def test_taking_away_a_role_or_training_never_permits_more(
    scenario: tuple[DisclosureRequest, SubjectFacts], pick: int, what: str
) -> None:
    request, subject = scenario
    people = list(staff())
    index = pick % len(people)
    member = people[index]
    if what == "role" and member.roles:
        people[index] = replace(member, roles=member.roles - {sorted(member.roles)[0]})
    elif what == "training":
        people[index] = replace(member, trained_on=None)
    else:
        people[index] = replace(member, active=False)
    before = decide(request, base_policy(), subject)
    after = decide(request, policy(people=tuple(people)), subject)
    assert_not_raised(before, after, request.data_categories)


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_order_of_facts_changes_nothing(
    scenario: tuple[DisclosureRequest, SubjectFacts], shuffle: random.Random
) -> None:
    request, subject = scenario
    consents = list(subject.consent.consents)
    shuffle.shuffle(consents)
    isas = list(agreements())
    shuffle.shuffle(isas)
    isas = [
        isa.model_copy(
            update={"need_to_know": shuffle.sample(isa.need_to_know, len(isa.need_to_know))}
        )
        for isa in isas
    ]
    people = list(staff())
    shuffle.shuffle(people)
    reordered = replace(subject, consent=replace(subject.consent, consents=tuple(consents)))
    assert decide(request, policy(tuple(isas), tuple(people)), reordered) == decide(
        request, base_policy(), subject
    )


junk = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.just(()), st.just(("",)))


@PROPERTY
@given(
    st.builds(
        DisclosureRequest,
        requester=st.text(max_size=8) | junk,
        provider=st.sampled_from(ORGS) | st.text(max_size=4),
        recipient=st.sampled_from(ORGS) | junk,
        subject_id=st.just(SUBJECT) | st.text(max_size=3),
        purpose=st.sampled_from(PURPOSES) | junk,
        data_categories=st.lists(st.sampled_from(CATEGORIES) | st.text(max_size=4)).map(tuple)
        | junk,
        transfer_method=st.sampled_from(METHODS) | junk,
        at=st.datetimes(timezones=st.just(UTC)) | st.datetimes() | junk,
        basis=bases() | junk,
        isa_reference=st.none() | st.text(max_size=4),
        recipient_role=st.none() | st.text(max_size=4) | junk,
    )
    | junk,
    facts() | junk,
)
def test_decide_is_total_and_fails_closed(request: Any, subject: Any) -> None:
    decision = decide(request, base_policy(), subject)
    assert isinstance(decision, Decision)
    assert decision.reasons, "every decision explains itself"
    if decision.outcome.value == "deny":
        assert decision.permitted == ()
        assert decision.referred == ()


@PROPERTY
@given(subject_facts(), queries)
def test_the_consent_index_answers_as_the_consent_check(
    facts: ConsentFacts, query: ConsentQuery
) -> None:
    index = index_consents(facts)
    checked = check_consent(facts, query)
    for category in query.data_categories:
        quick = index.covering(query.recipient, query.isa, query.purpose, category, query.at)
        found = checked.category(category)
        if quick is not None:
            assert quick == found.covered_by
    assert index.check(query) == checked


@PROPERTY
@given(subject_facts(), queries)
def test_the_quick_answers_of_the_index_are_the_consent_checks_own(
    facts: ConsentFacts, query: ConsentQuery
) -> None:
    """What decide() settles without check_consent must be exactly what check_consent says."""
    index = index_consents(facts)
    checked = check_consent(facts, query)
    quick = index.answers(
        query.recipient, query.isa, query.purpose, query.data_categories, query.at
    )
    settled = (
        set(quick.covered) | set(quick.not_covered) | set(quick.refused) | set(quick.unsettled)
    )
    assert settled == set(query.data_categories)
    for category, ids in quick.covered.items():
        assert ids == checked.category(category).covered_by
    for category, why in (*quick.not_covered.items(), *quick.refused.items()):
        found = checked.category(category)
        assert not found.covered
        assert why == found.reasons
    for category in quick.refused:
        assert any(r.code is ReasonCode.CONSENT_REFUSED for r in checked.category(category).reasons)


def test_the_consent_index_answers_a_plain_consent_itself() -> None:
    plain = consent(
        "c1", purposes={"care"}, categories={"identity"}, recipients={"LCC"}, subject_id=SUBJECT
    )
    index = index_consents(ConsentFacts(SUBJECT, BORN, (plain,)))
    assert index.covering("LCC", None, "care", "identity", T0) == ("c1",)
    assert index.covering("WYP", None, "care", "identity", T0) is None


@PROPERTY
@given(scenarios())
def test_a_record_about_something_else_changes_nothing(
    scenario: tuple[DisclosureRequest, SubjectFacts],
) -> None:
    """An objection, restriction or confidential item that applies to nothing asked changes
    no decision: decide() then takes its general path, not the one made in advance for
    people without such records, so both must answer alike."""
    request, subject = scenario
    elsewhere = frozenset({"NOBODY"})
    unrelated = replace(
        subject,
        objections=(*subject.objections, Objection("o-else", T0, recipients=elsewhere)),
        restrictions=(Restriction("r-else", frozenset({"no-such-category"}), "court order"),),
        confidential=(ConfidentialItem("k-else", frozenset({"no-such-category"}), "r", "g"),),
    )
    assert decide(request, policy(), unrelated) == decide(request, base_policy(), subject)
