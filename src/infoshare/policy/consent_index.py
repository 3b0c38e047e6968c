"""One service user's consents, indexed once so the decision asks Procedure A4 in microseconds.

``check_consent`` (``infoshare.policy.consent``) is the rule of Procedure A4 and stays the
only statement of it. A decision asks it on every request, and it rebuilds what does not
change between requests (the order of records, which record replaces which, whether the
maker of a decision could make it) each time. ``ConsentIndex`` works those out once, when the
shell fetches the person's facts, and answers the two common questions itself: "is this
category covered, by which consents?" and "is no consent even about this sharing?" (another
purpose or recipient, a category outside the form, no consent at all). For the second it
gives the reasons ``check_consent`` gives, made by the same functions of
``infoshare.policy.consent`` (``unnamed_problem``, ``category_problem``, ``no_consent``,
``most_specific_first``). Whenever the answer is anything else (a refusal or an exclusion that
applies, a record in scope that is not in force or not informed, a decision made for the
person), it defers to ``check_consent`` itself, so every reason a practitioner reads is
worded in one place.

Only decisions the service user made themselves, as an adult, with no capacity assessment on
record, take the quick path to "covered": for those the maker's fitness does not depend on
the moment asked about (Procedure A2), so it can be settled in advance. ``tests/policy``
checks the index against ``check_consent`` on generated histories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infoshare.domain.consent import Consent, ConsentDecision, ConsentFacts, DecidedBy
from infoshare.policy.capacity import AGE_PRESUMED_CAPABLE, age_on
from infoshare.policy.consent import (
    ConsentCoverage,
    ConsentQuery,
    IsaContext,
    category_problem,
    check_consent,
    most_specific_first,
    names_recipient,
    no_consent,
    unnamed_problem,
)
from infoshare.policy.reasons import Reason


@dataclass(frozen=True, slots=True)
class _Entry:
    consent: Consent
    refused: bool
    #: when a newer record replaces it, if one does
    replaced_at: datetime | None
    #: whether the maker's fitness is settled in advance (an adult's own decision)
    settled: bool


@dataclass(frozen=True, slots=True)
class ConsentIndex:
    """The consents of one service user, ordered and annotated for repeated checks."""

    facts: ConsentFacts
    entries: tuple[_Entry, ...]

    def covering(
        self,
        recipient: str,
        isa: IsaContext | None,
        purpose: str,
        category: str,
        at: datetime,
    ) -> tuple[str, ...] | None:
        """The ids covering ``category``, sorted, when it is plainly covered; else None.

        None means "ask check_consent": not covered, blocked, or not settled in advance.
        """
        return self.answers(recipient, isa, purpose, (category,), at).covered.get(category)

    def answers(
        self,
        recipient: str,
        isa: IsaContext | None,
        purpose: str,
        categories: tuple[str, ...],
        at: datetime,
    ) -> QuickAnswers:
        """What the index can answer itself about ``categories``, and what it cannot.

        A category is covered as ``covering`` says; it is not covered, with check_consent's
        own reasons, when no consent even names the sharing (each consent's scope problem,
        most specific first; a refusal out of scope says nothing; "no consent" when there
        is none). Anything else (a record in scope that does not plainly cover it, an
        exclusion) is left for check_consent.
        """
        # what does not depend on the category is worked out once per request
        views = [
            (
                entry,
                bool(entry.consent.exclusions) and _live(entry, at),
                # a consent for another purpose or recipient says so whatever the category
                unnamed_problem(entry.consent, recipient, purpose, isa),
                _in_force(entry, at) and _told(entry, recipient, isa, purpose),
            )
            for entry in self.entries
        ]
        covered: dict[str, tuple[str, ...]] = {}
        not_covered: dict[str, tuple[Reason, ...]] = {}
        unsettled: list[str] = []
        for category in categories:
            ids: list[str] = []
            out: list[Reason] = []
            in_scope = unsettle = False
            for entry, excluding, unnamed, usable in views:
                consent = entry.consent
                if excluding and any(
                    x.matches(recipient, purpose, category) for x in consent.exclusions
                ):
                    unsettle = True
                    break
                if unnamed is not None:
                    if not entry.refused:
                        out.append(unnamed)
                    continue
                missing = category_problem(consent, category)
                if missing is not None:
                    if not entry.refused:
                        out.append(missing)
                    continue
                in_scope = True
                if not usable or category not in consent.explanation.data_categories:
                    continue
                if not entry.settled or entry.refused:
                    unsettle = True
                    break
                ids.append(consent.id)
            if unsettle:
                unsettled.append(category)
            elif ids:
                ids.sort()
                covered[category] = tuple(ids)
            elif in_scope:
                unsettled.append(category)
            else:
                not_covered[category] = _out_of_scope(out, category)
        return QuickAnswers(covered, not_covered, tuple(unsettled))

    def check(self, query: ConsentQuery) -> ConsentCoverage:
        """The full answer of Procedure A4, with every reason."""
        return check_consent(self.facts, query)


@dataclass(frozen=True, slots=True)
class QuickAnswers:
    """What ``ConsentIndex.answers`` settled, and what is left for check_consent."""

    #: category -> the ids of the consents covering it, sorted
    covered: dict[str, tuple[str, ...]]
    #: category -> why not, where no consent names the sharing
    not_covered: dict[str, tuple[Reason, ...]]
    #: the categories check_consent must answer
    unsettled: tuple[str, ...]


def _out_of_scope(failures: list[Reason], category: str) -> tuple[Reason, ...]:
    if not failures:
        return (no_consent(category),)
    if len(failures) == 1:
        return (failures[0],)
    return most_specific_first(failures)


def _in_force(entry: _Entry, at: datetime) -> bool:
    consent = entry.consent
    return (
        _live(entry, at)
        and (consent.withdrawal is None or consent.withdrawal.at > at)
        and (consent.valid_until is None or consent.valid_until > at)
    )


def _told(entry: _Entry, recipient: str, isa: IsaContext | None, purpose: str) -> bool:
    told = entry.consent.explanation
    return purpose in told.purposes and names_recipient(told.recipients, recipient, isa)


def _live(entry: _Entry, at: datetime) -> bool:
    """Whether the record has started and is not replaced at ``at``: its exclusions apply."""
    return at >= entry.consent.starts_at and (entry.replaced_at is None or entry.replaced_at > at)


def index_consents(facts: ConsentFacts) -> ConsentIndex:
    """Order ``facts``' consents and settle what does not depend on the request."""
    consents = sorted(facts.consents, key=lambda c: (c.starts_at, c.id))
    replaced: dict[str, datetime] = {}
    for consent in consents:
        if consent.supersedes is not None:
            old = replaced.get(consent.supersedes)
            if old is None or consent.starts_at < old:
                replaced[consent.supersedes] = consent.starts_at
    born = facts.date_of_birth
    entries = tuple(
        _Entry(
            consent=c,
            refused=c.decision is ConsentDecision.REFUSED,
            replaced_at=replaced.get(c.id),
            settled=(
                c.decided_by is DecidedBy.SERVICE_USER
                and not facts.assessments
                and born is not None
                and age_on(born, c.obtained_at.date()) >= AGE_PRESUMED_CAPABLE
            ),
        )
        for c in consents
    )
    return ConsentIndex(facts=facts, entries=entries)
