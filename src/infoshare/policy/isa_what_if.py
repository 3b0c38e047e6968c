"""What if a new version of an agreement were in force? Replay decisions through it.

Before a new version of an Information Sharing Agreement is activated (Sections 1.1, 4.4),
its owner should see what it would change in practice: which recent requests to share would
be decided differently, and how, category by category (Principle 7, Procedure B7). This is
pure: the requests and the facts they were decided on come in (the shell stores them), two
policies are compiled (the agreements in force, and the same with the candidate version in
place of its reference's), and each request is decided under both with ``decide``. Only the
differences come out, each with the engine's own reasons and clauses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from infoshare.domain.agreement import InformationSharingAgreement, IsaStatus
from infoshare.policy.compile import PolicyOptions, StaffMember, compile_policy
from infoshare.policy.decide import decide
from infoshare.policy.decision import Decision, DisclosureRequest, Outcome, SubjectFacts
from infoshare.protocol.schema import ProtocolPack

#: ``Decision.state`` by name: how far a category got
STATES = ("withheld", "referred", "anonymised", "permitted")


@dataclass(frozen=True, slots=True)
class ReplayCase:
    """A request as it was asked, with the facts about the person it was decided on."""

    request: DisclosureRequest
    facts: SubjectFacts


@dataclass(frozen=True, slots=True)
class CategoryChange:
    category: str
    #: one of ``STATES``
    before: str
    after: str

    @property
    def wider(self) -> bool:
        return STATES.index(self.after) > STATES.index(self.before)


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """A request the candidate would decide differently."""

    request: DisclosureRequest
    before: Decision
    after: Decision
    categories: tuple[CategoryChange, ...]

    @property
    def outcome_changed(self) -> bool:
        return self.before.outcome is not self.after.outcome

    @property
    def wider(self) -> bool:
        """Whether the candidate lets more go (a higher outcome, or any category further)."""
        return self.after.rank > self.before.rank or any(c.wider for c in self.categories)


@dataclass(frozen=True, slots=True)
class WhatIfReport:
    """What replaying ``replayed`` requests through the candidate version would change."""

    reference: str
    version: int
    replayed: int
    changes: tuple[DecisionChange, ...]

    @property
    def unchanged(self) -> int:
        return self.replayed - len(self.changes)

    def outcome_counts(self) -> dict[tuple[Outcome, Outcome], int]:
        """How many changed requests went from each outcome to each other."""
        counts = Counter((c.before.outcome, c.after.outcome) for c in self.changes)
        return dict(sorted(counts.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value)))


def in_place_of(
    agreements: Iterable[InformationSharingAgreement], candidate: InformationSharingAgreement
) -> list[InformationSharingAgreement]:
    """The agreements with ``candidate``, treated as active, in place of its reference's."""
    others = [a for a in agreements if a.reference != candidate.reference]
    return [*others, candidate.model_copy(update={"status": IsaStatus.ACTIVE})]


def what_if(
    cases: Sequence[ReplayCase],
    pack: ProtocolPack,
    agreements: Sequence[InformationSharingAgreement],
    candidate: InformationSharingAgreement,
    staff: Sequence[StaffMember],
    *,
    adopted_on: Mapping[str, date] | None = None,
    options: PolicyOptions | None = None,
) -> WhatIfReport:
    """Decide each case under the agreements in force and under the candidate in their place;
    report the requests whose decision would change.

    Every case is replayed, not only those made under the candidate's reference: a new
    version can open or close a route that another request relied on.
    """
    current = compile_policy(pack, agreements, staff, adopted_on=adopted_on, options=options)
    proposed = compile_policy(
        pack, in_place_of(agreements, candidate), staff, adopted_on=adopted_on, options=options
    )
    changes: list[DecisionChange] = []
    for case in cases:
        before = decide(case.request, current, case.facts)
        after = decide(case.request, proposed, case.facts)
        categories = tuple(
            CategoryChange(category, STATES[before.state(category)], STATES[after.state(category)])
            for category in case.request.data_categories
            if before.state(category) != after.state(category)
        )
        if categories or before.outcome is not after.outcome:
            changes.append(DecisionChange(case.request, before, after, categories))
    return WhatIfReport(candidate.reference, candidate.version, len(cases), tuple(changes))
