"""The disclosure decision against Cedar and casbin, on the issue's reference policy.

    .venv/bin/python bench/bench_decide.py                      # what `make bench-decide` runs
    .venv/bin/python bench/bench_decide.py --subjects 20000 --peer-sample 300   # quicker

The reference policy (issue 5): the ``leeds-2002`` pack with all 16 organisations, 200 active
agreements between its parties, 40 data categories (the pack's, plus synthetic ones up to
40), the 8 staff roles, and 100,000 service users each with one or two consent records (one
in twenty a refusal). The requests are a day's work: each member of staff has a few kinds of
request they make (an agreement, a purpose, some categories, a method) and asks them about
different people; most claim consent, some a statutory ground (these are referred) or an
emergency, and some go wrong the ways they do (a category outside the agreement or the role's
need to know, a method the agreement does not allow, lapsed training, no consent). A consent
covers what its agreement's consent form lists (Appendix 4) for four people in five, part of
it for the rest, and is about another recipient or purpose for one in four.

Figures, printed and written to bench/results/decide.json:

- decisions_per_s: ``decide()`` with full reasons over every request, one core, best of
  ``--repeat``; SubjectFacts are built (and their consents indexed) before timing, as the
  shell fetches them;
- decisions_per_s_cold: the first 20,000 requests, forgetting before each one what was worked
  out for earlier requests of its kind (``Policy.prepared``), so nothing is reused;
- request_kinds: how many kinds of request (requester, route, purpose, categories, method,
  agreement, role, day) the day holds; the headline figure, decisions_per_s, reuses what
  was worked out for a kind on every later request of it, as a day's real work would;
- ratio_vs_cedarpy, ratio_vs_casbin: infoshare's throughput over each peer's, on the same
  ``--peer-sample`` requests, policy and facts;
- peer_agreement: the share of sample requests where all three agree.

The peers answer one category at a time (Cedar and casbin return allow/deny for one
resource), so a request is as many peer evaluations as it has categories, and a request is
allowed when any category is. infoshare's outcome maps ``permit`` and ``permit_anonymised``
to allow (something may be shared now) and ``refer`` and ``deny`` to deny (nothing yet).
The peers get the same facts infoshare compiles, as entity attributes (Cedar) and role links
(casbin): which categories each member of staff may receive under which agreement and purpose
(the need-to-know matrix joined with their roles), each agreement's routes, methods, dates and
categories, each person's consents and refusals as recipient|purpose|category tokens.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import casbin
import cedarpy

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.domain.consent import (
    CollectionMethod,
    Consent,
    ConsentDecision,
    ConsentFacts,
    ConsentScope,
    DecidedBy,
    Explanation,
)
from infoshare.policy.compile import Policy, StaffMember, compile_policy
from infoshare.policy.decide import decide
from infoshare.policy.decision import (
    ClaimedBasis,
    ClaimKind,
    Decision,
    DisclosureRequest,
    Outcome,
    SubjectFacts,
)
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import DataCategory, Membership, ProtocolPack

RESULTS = Path(__file__).resolve().parent / "results" / "decide.json"
ROLES = (
    "practitioner",
    "designated-officer",
    "lead-member",
    "information-sharing-manager",
    "steering-group",
    "administrator",
    "data-protection-officer",
    "information-sharing-lead",
)
IDENTIFIABLE = ("care", "protection", "crime", "support", "complaints")
ANONYMISED = ("planning", "commissioning", "performance-audit")
METHODS = ("email", "verbal", "post", "fax", "disc")
#: general DPA 1998 conditions: any party may rely on them, for any purpose
GROUNDS = ["dpa-1998-sch2-5", "dpa-1998-sch3-7"]
#: the purposes the vital-interests grounds serve (DPA 1998 Sch 2 para 4, Sch 3 para 3)
VITAL = frozenset({"care", "protection"})
TODAY = date(2003, 6, 2)
AT = datetime(2003, 6, 2, 11, tzinfo=UTC)
NEVER = 99_999_999


def day_number(day: date | None) -> int:
    return NEVER if day is None else day.toordinal()


# --- the reference policy --------------------------------------------------------------


def reference_pack(categories: int) -> ProtocolPack:
    pack = load_pack_reference("leeds-2002")
    extra = [
        DataCategory(
            id=f"synthetic-{i:02d}",
            title=f"Synthetic category {i}",
            summary="A category added so the benchmark has the issue's forty.",
            sensitive=i % 3 == 0,
            identifying=i % 7 == 0,
        )
        for i in range(max(0, categories - len(pack.data_categories)))
    ]
    return pack.model_copy(update={"data_categories": [*pack.data_categories, *extra]})


def agreements(
    pack: ProtocolPack, count: int, rng: random.Random
) -> list[InformationSharingAgreement]:
    parties = [o.code for o in pack.organisations if o.membership is Membership.PARTY]
    usable = [c.id for c in pack.data_categories if not c.statutory_restriction]
    restricted = [c.id for c in pack.data_categories if c.statutory_restriction]
    found = []
    for n in range(count):
        members = rng.sample(parties, rng.choice((2, 2, 3)))
        purposes = rng.sample(IDENTIFIABLE, rng.choice((1, 2)))
        if rng.random() < 0.15:
            purposes = [rng.choice(ANONYMISED)]
        categories = rng.sample(usable, rng.randint(10, 16))
        if rng.random() < 0.1:
            categories.append(rng.choice(restricted))
        rows = []
        for org in members:
            for role in rng.sample(ROLES[:3] + ROLES[5:6], 2):
                rows.append(
                    {
                        "organisation": org,
                        "role": role,
                        "categories": rng.sample(categories, rng.randint(4, len(categories))),
                    }
                )
        found.append(
            InformationSharingAgreement.model_validate(
                {
                    "reference": f"BENCH-ISA-{n:03d}",
                    "title": f"Benchmark agreement {n}",
                    "service_area": "benchmark",
                    "protocol": pack.id,
                    "status": "active",
                    "owner": {"organisation": members[0], "post": "Caldicott Guardian"},
                    "parties": [{"organisation": o, "does": "both"} for o in members],
                    "purposes": [
                        {
                            "purpose": p,
                            "consent_model": (
                                "anonymised-only"
                                if p in ANONYMISED
                                else rng.choice(("consent", "consent-or-statutory"))
                            ),
                            "legal_grounds": [] if p in ANONYMISED else GROUNDS,
                        }
                        for p in purposes
                    ],
                    "data_categories": categories,
                    "need_to_know": rows,
                    "transfer_methods": [
                        {"method": m} for m in rng.sample(METHODS, rng.randint(1, 3))
                    ],
                    "start_date": "2003-01-01",
                    "review_date": "2004-01-01",
                }
            )
        )
    return found


def staff(pack: ProtocolPack, per_role: int, rng: random.Random) -> list[StaffMember]:
    people = []
    for org in pack.organisations:
        for role in ROLES:
            for i in range(per_role):
                luck = rng.random()
                trained = None if luck < 0.03 else date(1999 if luck < 0.05 else 2002, 11, 1)
                people.append(
                    StaffMember(
                        id=f"{org.code.lower()}-{role}-{i}",
                        organisation=org.code,
                        roles=frozenset({role}),
                        active=rng.random() > 0.02,
                        trained_on=trained,
                    )
                )
    return people


def subject_facts(
    index: int,
    isa: InformationSharingAgreement,
    purpose: str,
    recipient: str,
    rng: random.Random,
    consent_likely: float = 0.75,
) -> SubjectFacts:
    subject = f"subject-{index:06d}"
    records = []
    for n in range(rng.choice((1, 1, 2))):
        refused = rng.random() < 0.05
        about_this = rng.random() < consent_likely
        purposes = frozenset({purpose if about_this else rng.choice(IDENTIFIABLE)})
        recipients = frozenset({recipient if about_this else rng.choice(isa.party_codes)})
        # the consent form of an agreement (Appendix 4) lists what it shares; one person in
        # five agrees to part of it only
        form = isa.data_categories
        if rng.random() < 0.2:
            form = rng.sample(form, rng.randint(3, len(form)))
        categories = frozenset(form)
        scope = ConsentScope(purposes=purposes, data_categories=categories, recipients=recipients)
        records.append(
            Consent(
                id=f"{subject}-c{n}",
                subject_id=subject,
                decision=ConsentDecision.REFUSED if refused else ConsentDecision.GIVEN,
                scope=scope,
                decided_by=DecidedBy.SERVICE_USER,
                obtained_by="bench",
                obtained_by_organisation=recipient,
                obtained_at=AT - timedelta(days=rng.randint(1, 150)),
                method=CollectionMethod.VERBAL_RECORDED,
                explanation=Explanation(purposes, categories, recipients, leaflet_given=True),
            )
        )
    return SubjectFacts(ConsentFacts(subject, date(1950, 1, 1), tuple(records)))


def workload(
    pack: ProtocolPack,
    isas: list[InformationSharingAgreement],
    people: list[StaffMember],
    subjects: int,
    kinds_per_person: int,
    rng: random.Random,
) -> tuple[list[DisclosureRequest], list[SubjectFacts]]:
    """A day's requests: each from one of a few kinds a member of staff asks, about someone."""
    by_org: dict[str, list[StaffMember]] = {}
    for person in people:
        by_org.setdefault(person.organisation, []).append(person)
    all_categories = [c.id for c in pack.data_categories]
    kinds: list[tuple[Any, ...]] = []
    for isa in isas:
        for _ in range(max(1, len(people) * kinds_per_person // len(isas))):
            purpose = rng.choice(isa.purposes).purpose
            provider, recipient = rng.sample(isa.party_codes, 2)
            rows = [r for r in isa.need_to_know if r.organisation == recipient]
            row = rng.choice(rows)
            role_staff = [p for p in by_org[recipient] if row.role in p.roles]
            requester = rng.choice(role_staff if rng.random() < 0.9 else by_org[recipient])
            wanted = rng.sample(row.categories, min(len(row.categories), rng.randint(2, 4)))
            if rng.random() < 0.1:
                wanted.append(rng.choice(all_categories))
            methods = [m.method for m in isa.transfer_methods]
            method = rng.choice(methods) if rng.random() < 0.95 else rng.choice(METHODS)
            luck = rng.random()
            if luck < 0.80:
                basis = ClaimedBasis()
            elif luck < 0.95:
                basis = ClaimedBasis(
                    ClaimKind.STATUTORY,
                    tuple(GROUNDS),
                    justification="seeking consent would put them at risk",
                )
            else:
                basis = ClaimedBasis(ClaimKind.EMERGENCY, emergency_reason="collapsed at home")
            kinds.append(
                (
                    isa,
                    purpose,
                    provider,
                    recipient,
                    requester.id,
                    tuple(dict.fromkeys(wanted)),
                    method,
                    basis,
                )
            )
    requests, facts = [], []
    for index in range(subjects):
        isa, purpose, provider, recipient, requester, wanted, method, basis = rng.choice(kinds)
        # a statutory ground is claimed because there is no consent to rely on
        likely = 0.1 if basis.kind is ClaimKind.STATUTORY else 0.75
        facts.append(subject_facts(index, isa, purpose, recipient, rng, likely))
        requests.append(
            DisclosureRequest(
                requester=requester,
                provider=provider,
                recipient=recipient,
                subject_id=f"subject-{index:06d}",
                purpose=purpose,
                data_categories=wanted,
                transfer_method=method,
                at=AT + timedelta(seconds=index % 28_800),
                basis=basis,
                isa_reference=isa.reference,
            )
        )
    return requests, facts


# --- infoshare ----------------------------------------------------------------------------


def allowed(decision: Decision) -> bool:
    return decision.outcome in (Outcome.PERMIT, Outcome.PERMIT_ANONYMISED)


def run_infoshare(
    requests: Sequence[DisclosureRequest], facts: Sequence[SubjectFacts], policy: Policy
) -> list[Decision]:
    return [decide(r, policy, f) for r, f in zip(requests, facts, strict=True)]


def call_ns() -> float:
    """Nanoseconds per empty Python call now: how busy the shared machine is."""

    def nothing(a: int, b: int) -> int:
        return a + b

    started = time.process_time()
    for _ in range(1_000_000):
        nothing(1, 2)
    return (time.process_time() - started) * 1000


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
        gc.enable()
    return best


# --- the peers: what each is told -------------------------------------------------------


class PeerFacts:
    """The compiled facts the peers need, derived from the same policy and subjects."""

    def __init__(self, pack: ProtocolPack, policy: Policy, people: list[StaffMember]) -> None:
        self.policy = policy
        self.grants: dict[str, set[str]] = {}
        for person in people:
            tokens: set[str] = set()
            for reference, isa in policy.agreements.items():
                for (org, role, purpose), categories in isa.need_to_know.items():
                    if org == person.organisation and role in person.roles:
                        tokens |= {f"{reference}|{purpose}|{c}" for c in categories}
            self.grants[person.id] = tokens
        self.categories = {c.id: c for c in pack.data_categories}

    @staticmethod
    def consent_tokens(facts: SubjectFacts) -> tuple[list[str], list[str]]:
        given, refused = [], []
        for consent in facts.consent.consents:
            tokens = [
                f"{r}|{p}|{c}"
                for r in consent.scope.recipients
                for p in consent.scope.purposes
                for c in consent.scope.data_categories
            ]
            (refused if consent.decision is ConsentDecision.REFUSED else given).extend(tokens)
        return given, refused


CEDAR_POLICY = """
permit (principal, action == Action::"share", resource)
when {
  principal.active &&
  principal.trained_from <= context.day && context.day <= principal.trained_until &&
  principal.adopted_from <= context.day &&
  (principal.org == context.provider || principal.org == context.recipient) &&
  context.purpose.known &&
  context.isa.routes.contains(context.route) &&
  context.isa.start <= context.day && context.day < context.isa.end &&
  context.isa.methods.contains(context.method) &&
  context.isa.categories.contains(resource.name) &&
  principal.grants.contains(context.grant) &&
  !resource.restricted &&
  (
    ((!context.purpose.identifiable || context.isa.anonymised.contains(context.purpose_id))
      && !resource.identifying)
    ||
    (context.purpose.identifiable && !context.isa.anonymised.contains(context.purpose_id) &&
      !context.subject.refusals.contains(context.consent) &&
      (context.subject.consents.contains(context.consent) ||
       (context.basis == "emergency" && context.reason_given && context.purpose.vital)))
  )
};
"""


def cedar_entities(
    pack: ProtocolPack,
    policy: Policy,
    people: list[StaffMember],
    peer: PeerFacts,
    facts: Sequence[SubjectFacts],
) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = []
    for person in people:
        entry = policy.staff[person.id]
        org = policy.organisations[person.organisation]
        entities.append(
            {
                "uid": {"type": "Staff", "id": person.id},
                "attrs": {
                    "org": person.organisation,
                    "active": entry.active,
                    "trained_from": day_number(entry.trained_on),
                    "trained_until": (
                        -1 if entry.trained_until is None else entry.trained_until.toordinal()
                    ),
                    "adopted_from": day_number(org.adopted_on if org.party else None),
                    "grants": sorted(peer.grants[person.id]),
                },
                "parents": [],
            }
        )
    for reference, isa in policy.agreements.items():
        routes = [key for key, refs in policy.routes.items() if reference in refs]
        entities.append(
            {
                "uid": {"type": "Isa", "id": reference},
                "attrs": {
                    "routes": sorted("|".join(r) for r in routes),
                    "methods": sorted(isa.transfers),
                    "categories": sorted(isa.categories),
                    "anonymised": sorted(
                        p
                        for p, e in isa.purposes.items()
                        if e.consent_model.value == "anonymised-only"
                    ),
                    "start": isa.start_date.toordinal(),
                    "end": day_number(isa.end_date),
                },
                "parents": [],
            }
        )
    for category in pack.data_categories:
        entities.append(
            {
                "uid": {"type": "Category", "id": category.id},
                "attrs": {
                    "name": category.id,
                    "identifying": category.identifying,
                    "restricted": bool(category.statutory_restriction),
                },
                "parents": [],
            }
        )
    for purpose in pack.purposes:
        entities.append(
            {
                "uid": {"type": "Purpose", "id": purpose.id},
                "attrs": {
                    "known": True,
                    "identifiable": purpose.needs_identifiable_data,
                    "vital": purpose.id in VITAL,
                },
                "parents": [],
            }
        )
    for subject in facts:
        given, refused = PeerFacts.consent_tokens(subject)
        entities.append(
            {
                "uid": {"type": "Subject", "id": subject.subject_id},
                "attrs": {"consents": given, "refusals": refused},
                "parents": [],
            }
        )
    return entities


def cedar_requests(request: DisclosureRequest) -> list[dict[str, Any]]:
    route = f"{request.provider}|{request.recipient}|{request.purpose}"
    return [
        {
            "principal": {"type": "Staff", "id": request.requester},
            "action": {"type": "Action", "id": "share"},
            "resource": {"type": "Category", "id": category},
            "context": {
                "day": request.at.date().toordinal(),
                "provider": request.provider,
                "recipient": request.recipient,
                "route": route,
                "method": request.transfer_method,
                "isa": {"__entity": {"type": "Isa", "id": request.isa_reference}},
                "purpose": {"__entity": {"type": "Purpose", "id": request.purpose}},
                "purpose_id": request.purpose,
                "subject": {"__entity": {"type": "Subject", "id": request.subject_id}},
                "grant": f"{request.isa_reference}|{request.purpose}|{category}",
                "consent": f"{request.recipient}|{request.purpose}|{category}",
                "basis": request.basis.kind.value,
                "reason_given": bool(request.basis.emergency_reason.strip()),
            },
        }
        for category in request.data_categories
    ]


CASBIN_MODEL = """
[request_definition]
r = sub, isa, route, method, cat, grant, consent, subj, anon, emergency

[policy_definition]
p = isa, route, method, cat

[role_definition]
g = _, _
g2 = _, _
g3 = _, _
g4 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.isa == p.isa && r.route == p.route && r.method == p.method && r.cat == p.cat \
  && g(r.sub, r.grant) && !g4(r.cat, "restricted") \
  && ((r.anon == "yes" && !g4(r.cat, "identifying")) \
    || (r.anon == "no" && !g3(r.subj, r.consent) \
      && (g2(r.subj, r.consent) || r.emergency == "yes")))
"""


def casbin_enforcer(
    policy: Policy, people: list[StaffMember], peer: PeerFacts, facts: Sequence[SubjectFacts]
) -> casbin.Enforcer:
    """casbin with the same facts; staff eligibility (active, trained, adopted, involved) and
    the agreement's dates are links of their own, checked by the matcher's ``g`` on grants
    only for staff who may ask at all (see ``eligible``)."""
    model = casbin.model.Model()
    model.load_model_from_text(CASBIN_MODEL)
    enforcer = casbin.Enforcer(model)
    rules = []
    for reference, isa in policy.agreements.items():
        routes = [key for key, refs in policy.routes.items() if reference in refs]
        for route in routes:
            for method in isa.transfers:
                for category in isa.categories:
                    rules.append([reference, "|".join(route), method, category])
    enforcer.add_policies(rules)
    day = TODAY
    links = []
    for person in people:
        entry = policy.staff[person.id]
        org = policy.organisations[person.organisation]
        eligible = (
            entry.active
            and entry.trained_on is not None
            and entry.trained_on <= day
            and entry.trained_until is not None
            and day <= entry.trained_until
            and org.party
            and org.adopted_on is not None
            and org.adopted_on <= day
        )
        if eligible:
            links.extend([person.id, token] for token in peer.grants[person.id])
    enforcer.add_grouping_policies(links)
    given_links, refused_links = [], []
    for subject in facts:
        given, refused = PeerFacts.consent_tokens(subject)
        given_links.extend([subject.subject_id, token] for token in given)
        refused_links.extend([subject.subject_id, token] for token in refused)
    if given_links:
        enforcer.add_named_grouping_policies("g2", given_links)
    if refused_links:
        enforcer.add_named_grouping_policies("g3", refused_links)
    marks = []
    for category in peer.categories.values():
        if category.statutory_restriction:
            marks.append([category.id, "restricted"])
        if category.identifying:
            marks.append([category.id, "identifying"])
    enforcer.add_named_grouping_policies("g4", marks)
    return enforcer


def casbin_allows(enforcer: casbin.Enforcer, policy: Policy, request: DisclosureRequest) -> bool:
    purpose_identifiable = policy.purposes.get(request.purpose, True)
    isa = policy.agreements[request.isa_reference] if request.isa_reference else None
    anonymised = not purpose_identifiable or (
        isa is not None
        and request.purpose in isa.purposes
        and isa.purposes[request.purpose].consent_model.value == "anonymised-only"
    )
    involved = policy.staff[request.requester].organisation in (request.provider, request.recipient)
    emergency = (
        request.basis.kind is ClaimKind.EMERGENCY
        and bool(request.basis.emergency_reason.strip())
        and request.purpose in VITAL
    )
    route = f"{request.provider}|{request.recipient}|{request.purpose}"
    return involved and any(
        enforcer.enforce(
            request.requester,
            request.isa_reference,
            route,
            request.transfer_method,
            category,
            f"{request.isa_reference}|{request.purpose}|{category}",
            f"{request.recipient}|{request.purpose}|{category}",
            request.subject_id,
            "yes" if anonymised else "no",
            "yes" if emergency else "no",
        )
        for category in request.data_categories
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--categories", type=int, default=40)
    parser.add_argument("--staff-per-role", type=int, default=8)
    parser.add_argument("--kinds-per-person", type=int, default=3)
    parser.add_argument("--peer-sample", type=int, default=500)
    parser.add_argument("--casbin-sample", type=int, default=1000)
    parser.add_argument(
        "--cedar-check", type=int, default=0, help="how many requests to check Cedar on (0: all)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2002)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    calibration = call_ns()

    pack = reference_pack(args.categories)
    isas = agreements(pack, args.agreements, rng)
    people = staff(pack, args.staff_per_role, rng)
    adopted = {"LCC": date(2002, 10, 15), "EDL": date(2002, 11, 20), "WYP": date(2002, 12, 2)}

    def compiled() -> Policy:
        return compile_policy(pack, isas, people, adopted_on=adopted)

    compile_s = best_of(args.repeat, compiled)
    policy = compiled()
    requests, facts = workload(pack, isas, people, args.subjects, args.kinds_per_person, rng)
    print(
        f"policy: {len(pack.organisations)} organisations, {len(policy.agreements)} agreements, "
        f"{len(pack.data_categories)} categories, {len(ROLES)} roles, {len(people)} staff; "
        f"compiled in {compile_s * 1000:.1f} ms"
    )
    decisions = run_infoshare(requests, facts, policy)
    # how many kinds of request the day holds: the warm figure reuses what decide() worked
    # out about a kind (Policy.prepared) for every later request of that kind
    kinds = len(policy.prepared)
    mix: dict[str, int] = {}
    for decision in decisions:
        mix[decision.outcome.value] = mix.get(decision.outcome.value, 0) + 1
    print(
        f"{len(requests)} requests about {len(facts)} people, {kinds:,} kinds of request; "
        f"outcomes {dict(sorted(mix.items()))}"
    )

    warm = best_of(args.repeat, lambda: run_infoshare(requests, facts, policy))
    per_s = len(requests) / warm
    print(
        f"infoshare decide(): {per_s:,.0f} decisions/s ({warm / len(requests) * 1e6:.2f} µs each)"
    )

    cold_count = min(len(requests), 20_000)

    def run_cold() -> None:
        # forget, before each request, what was worked out for earlier ones of its kind
        prepared = policy.prepared
        for request, subject in zip(requests[:cold_count], facts[:cold_count], strict=True):
            prepared.clear()
            decide(request, policy, subject)

    cold = best_of(args.repeat, run_cold)
    cold_per_s = cold_count / cold
    print(f"infoshare decide(), every request of a new kind: {cold_per_s:,.0f} decisions/s")

    def spread(count: int) -> list[int]:
        """``count`` request indexes spread evenly over the day."""
        return list(range(0, len(requests), max(1, len(requests) // count)))[:count]

    sample = spread(args.peer_sample)
    sample_requests = [requests[i] for i in sample]
    sample_facts = [facts[i] for i in sample]
    sample_time = best_of(args.repeat, lambda: run_infoshare(sample_requests, sample_facts, policy))
    sample_per_s = len(sample) / sample_time

    peer = PeerFacts(pack, policy, people)
    policies = cedarpy.PolicySet.from_str(CEDAR_POLICY)

    def cedar_answers_for(
        chosen: Sequence[DisclosureRequest], entities: cedarpy.Entities
    ) -> list[bool]:
        return [
            any(
                result.allowed
                for result in cedarpy.is_authorized_batch(cedar_requests(r), policies, entities)
            )
            for r in chosen
        ]

    # Cedar's speed: the sample, with only the sample's people among its entities
    started = time.process_time()
    entities = cedarpy.Entities.from_json_str(
        json.dumps(cedar_entities(pack, policy, people, peer, sample_facts))
    )
    cedar_setup = time.process_time() - started
    cedar_time = best_of(args.repeat, lambda: cedar_answers_for(sample_requests, entities))
    cedar_per_s = len(sample) / cedar_time
    print(
        f"cedarpy: {cedar_per_s:,.0f} requests/s "
        f"(entities and policies parsed once, in {cedar_setup:.1f} s)"
    )

    # Cedar's answers: every request of the day, everyone's consents among its entities
    cedar_checked = spread(args.cedar_check) if args.cedar_check else list(range(len(requests)))
    started = time.process_time()
    everyone = cedarpy.Entities.from_json_str(
        json.dumps(cedar_entities(pack, policy, people, peer, [facts[i] for i in cedar_checked]))
    )
    cedar_answers = cedar_answers_for([requests[i] for i in cedar_checked], everyone)
    print(
        f"cedarpy answered all {len(cedar_checked):,} requests in "
        f"{time.process_time() - started:.1f} s (entities included)"
    )
    cedar_disagree = [
        i
        for i, answer in zip(cedar_checked, cedar_answers, strict=True)
        if answer != allowed(decisions[i])
    ]

    # casbin, far slower: its answers and its speed on one pass over a larger sample
    casbin_checked = spread(args.casbin_sample)
    casbin_requests = [requests[i] for i in casbin_checked]
    started = time.process_time()
    enforcer = casbin_enforcer(policy, people, peer, [facts[i] for i in casbin_checked])
    casbin_setup = time.process_time() - started
    started = time.process_time()
    casbin_answers = [casbin_allows(enforcer, policy, r) for r in casbin_requests]
    casbin_time = time.process_time() - started
    casbin_per_s = len(casbin_checked) / casbin_time
    # infoshare's speed on the very requests casbin was timed on
    casbin_ours_time = best_of(
        args.repeat,
        lambda: run_infoshare(casbin_requests, [facts[i] for i in casbin_checked], policy),
    )
    casbin_ours_per_s = len(casbin_checked) / casbin_ours_time
    print(
        f"casbin: {casbin_per_s:,.1f} requests/s on {len(casbin_checked):,} requests "
        f"(model and policy loaded once, in {casbin_setup:.1f} s)"
    )
    casbin_disagree = [
        i
        for i, answer in zip(casbin_checked, casbin_answers, strict=True)
        if answer != allowed(decisions[i])
    ]
    cedar_by_index = dict(zip(cedar_checked, cedar_answers, strict=True))
    casbin_by_index = dict(zip(casbin_checked, casbin_answers, strict=True))
    disagreements = [
        {
            "request": requests[i].subject_id,
            "infoshare": allowed(decisions[i]),
            "cedar": cedar_by_index.get(i),
            "casbin": casbin_by_index.get(i),
        }
        for i in sorted({*cedar_disagree, *casbin_disagree})
    ][:10]
    agree_all = sum(
        1
        for i, answer in zip(casbin_checked, casbin_answers, strict=True)
        if answer == allowed(decisions[i]) == cedar_by_index.get(i, answer)
    )
    results = {
        "decisions_per_s": round(per_s),
        "decisions_per_s_cold": round(cold_per_s),
        "decisions_per_s_on_peer_sample": round(sample_per_s),
        "cedarpy_requests_per_s": round(cedar_per_s),
        "casbin_requests_per_s": round(casbin_per_s, 1),
        "ratio_vs_cedarpy": round(sample_per_s / cedar_per_s, 1),
        "ratio_vs_casbin": round(casbin_ours_per_s / casbin_per_s, 1),
        "peer_sample": len(sample),
        "cedar_agreement": 1 - len(cedar_disagree) / len(cedar_checked),
        "cedar_checked": len(cedar_checked),
        "casbin_agreement": 1 - len(casbin_disagree) / len(casbin_checked),
        "casbin_checked": len(casbin_checked),
        "peer_agreement": agree_all / len(casbin_checked),
        "sample_allowed": sum(allowed(decisions[i]) for i in sample),
        "outcomes": dict(sorted(mix.items())),
        "requests": len(requests),
        "request_kinds": kinds,
        "compile_ms": round(compile_s * 1000, 1),
        "python_call_ns": round(calibration, 1),
        "disagreements": disagreements,
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
        },
        "command": "make bench-decide",
    }
    print(
        json.dumps(
            {k: v for k, v in results.items() if k not in ("disagreements", "machine")}, indent=2
        )
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if disagreements:
        print(
            f"peers disagree: Cedar on {len(cedar_disagree)} requests, casbin on "
            f"{len(casbin_disagree)}, e.g. {disagreements[:3]}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
