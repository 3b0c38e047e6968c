"""One service user's consents, indexed once so the decision asks Procedure A4 in microseconds.

``check_consent`` (``infoshare.policy.consent``) is the rule of Procedure A4 and stays the
only statement of it. A decision asks it on every request, and it rebuilds what does not
change between requests (the order of records, which record replaces which, whether the
maker of a decision could make it) each time. ``ConsentIndex`` works those out once, when the
shell fetches the person's facts, and answers the three common questions itself: "is this
category covered, by which consents?", "is no consent even about this sharing?" (another
purpose or recipient, a category outside the form, no consent at all) and "does an explicit
refusal apply?" (Principle 5: then it blocks whatever else is on record). For the last two it
gives the reasons ``check_consent`` gives, made by the same functions of
``infoshare.policy.consent`` (``unnamed_problem``, ``category_problem``, ``no_consent``,
``refused_reason``, ``most_specific_first``). Whenever the answer is anything else (an
exclusion that applies, a record in scope that is not in force or not informed, a decision
made for the person), it defers to ``check_consent`` itself, so every reason a practitioner
reads is worded in one place.

Only decisions the service user made themselves, as an adult, with no capacity assessment on
record, take the quick path to "covered" or "refused": for those the maker's fitness does not
depend on the moment asked about (Procedure A2), so it can be settled in advance.
``tests/policy`` checks the index against ``check_consent`` on generated histories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infoshare.domain.consent import Consent, ConsentDecision, ConsentFacts, DecidedBy, Exclusion
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
    refused_reason,
    unnamed_problem,
)
from infoshare.policy.frozen import quick_init
from infoshare.policy.reasons import Reason


@dataclass(frozen=True, slots=True)
class _Entry:
    consent: Consent
    refused: bool
    #: when a newer record replaces it, if one does
    replaced_at: datetime | None
    #: whether the maker's fitness is settled in advance (an adult's own decision)
    settled: bool
    # What the quick answers read, unpacked once from the record so that a decision reads
    # one attribute, not a chain of three, for each category it asks about.
    id: str
    starts_at: datetime
    #: when it stops covering: withdrawn or expired, whichever is first; None: never
    ends_at: datetime | None
    exclusions: tuple[Exclusion, ...]
    purposes: frozenset[str]
    #: the recipients and agreements its scope names
    named: frozenset[str]
    categories: frozenset[str]
    told_purposes: frozenset[str]
    told_recipients: frozenset[str]
    told_categories: frozenset[str]
    #: settled and given: in force and told, it covers what its scope names
    plain: bool
    #: what it covers then: the categories its scope names that the person was told of
    covers: frozenset[str]
    #: ``(id,)``, the ids covering a category when it alone does
    ids: tuple[str]


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
        is none); it is refused, with check_consent's reasons, when a refusal in force, told
        and settled in advance names it (a refusal that is not in force says nothing).
        Anything else (a record in scope that does not plainly cover or refuse it, an
        exclusion) is left for check_consent.
        """
        # What does not depend on the category is worked out once per request: whether the
        # record's exclusions apply now, whether its scope names this purpose and recipient,
        # and whether it is in force and the person was told of both (asked only where it
        # names them: otherwise it cannot cover anything).
        views: list[tuple[_Entry, tuple[Exclusion, ...], bool, bool]] = []
        excluding = False
        for entry in self.entries:
            live = at >= entry.starts_at and (entry.replaced_at is None or entry.replaced_at > at)
            exclusions = entry.exclusions if live else ()
            if exclusions:
                excluding = True
            names = purpose in entry.purposes and (
                recipient in entry.named
                or (isa is not None and isa.reference in entry.named and recipient in isa.parties)
            )
            usable = (
                names
                and live
                and (entry.ends_at is None or entry.ends_at > at)
                and purpose in entry.told_purposes
                and (
                    recipient in entry.told_recipients
                    or names_recipient(entry.told_recipients, recipient, isa)
                )
            )
            views.append((entry, exclusions, names, usable))
        if not excluding:
            # the two commonest answers, given at once: one record names the sharing and
            # plainly covers every category; or no record names it at all
            naming = [view for view in views if view[2]]
            if not naming:
                if any(not entry.refused for entry in self.entries):
                    why, _ = self._not_named(views, recipient, isa, purpose, categories[0])
                    return QuickAnswers({}, dict.fromkeys(categories, why), {}, ())
            elif len(naming) == 1:
                entry, _, _, usable = naming[0]
                if usable and entry.plain and entry.covers.issuperset(categories):
                    return QuickAnswers(dict.fromkeys(categories, entry.ids), {}, {}, ())
        covered: dict[str, tuple[str, ...]] = {}
        not_covered: dict[str, tuple[Reason, ...]] = {}
        refused: dict[str, tuple[Reason, ...]] = {}
        unsettled: list[str] = []
        #: why no record names the sharing, when that does not depend on the category
        unnamed: tuple[Reason, ...] | None = None
        for category in categories:
            ids: list[str] = []
            refusing: list[str] = []
            in_scope = unsettle = False
            for entry, exclusions, names, usable in views:
                if excluding and any(x.matches(recipient, purpose, category) for x in exclusions):
                    unsettle = True
                    break
                if not names or category not in entry.categories:
                    continue
                in_scope = True
                if not usable or category not in entry.told_categories:
                    continue
                if entry.refused and entry.settled:
                    # a refusal in force, in scope and told, by a maker settled in advance:
                    # it applies whatever else is on record (Principle 5)
                    refusing.append(entry.id)
                    continue
                if not entry.plain:
                    unsettle = True
                    break
                ids.append(entry.id)
            if unsettle:
                unsettled.append(category)
            elif refusing:
                refused[category] = most_specific_first(
                    [refused_reason(i, recipient, purpose, category) for i in refusing]
                )
            elif in_scope and not ids:
                unsettled.append(category)
            elif ids:
                if len(ids) > 1:
                    ids.sort()
                covered[category] = tuple(ids)
            elif unnamed is not None:
                not_covered[category] = unnamed
            else:
                why, by_category = self._not_named(views, recipient, isa, purpose, category)
                not_covered[category] = why
                if not by_category:
                    unnamed = why
        return QuickAnswers(covered, not_covered, refused, tuple(unsettled))

    @staticmethod
    def _not_named(
        views: list[tuple[_Entry, tuple[Exclusion, ...], bool, bool]],
        recipient: str,
        isa: IsaContext | None,
        purpose: str,
        category: str,
    ) -> tuple[tuple[Reason, ...], bool]:
        """check_consent's reasons where no record names sharing ``category``, and whether
        they depend on the category: each given record's scope problem (a refusal out of
        scope says nothing), the most specific first, or "no consent"."""
        out: list[Reason] = []
        by_category = False
        for entry, _, names, _ in views:
            if entry.refused:
                continue
            if names:
                missing = category_problem(entry.consent, category)
                assert missing is not None  # not in its scope, as answers() found
                out.append(missing)
                by_category = True
            else:
                why = unnamed_problem(entry.consent, recipient, purpose, isa)
                assert why is not None  # it does not name the sharing, as answers() found
                out.append(why)
        return _out_of_scope(out, category), by_category or not out

    def check(self, query: ConsentQuery) -> ConsentCoverage:
        """The full answer of Procedure A4, with every reason."""
        return check_consent(self.facts, query)


@quick_init
@dataclass(frozen=True, slots=True)
class QuickAnswers:
    """What ``ConsentIndex.answers`` settled, and what is left for check_consent."""

    #: category -> the ids of the consents covering it, sorted
    covered: dict[str, tuple[str, ...]]
    #: category -> why not, where no consent names the sharing
    not_covered: dict[str, tuple[Reason, ...]]
    #: category -> check_consent's reasons, where a refusal settled in advance applies
    refused: dict[str, tuple[Reason, ...]]
    #: the categories check_consent must answer
    unsettled: tuple[str, ...]


def _out_of_scope(failures: list[Reason], category: str) -> tuple[Reason, ...]:
    if not failures:
        return (no_consent(category),)
    if len(failures) == 1:
        return (failures[0],)
    return most_specific_first(failures)


def index_consents(facts: ConsentFacts) -> ConsentIndex:
    """Order ``facts``' consents and settle what does not depend on the request."""
    consents = sorted(facts.consents, key=lambda c: (c.starts_at, c.id))
    replaced: dict[str, datetime] = {}
    for consent in consents:
        if consent.supersedes is not None:
            old = replaced.get(consent.supersedes)
            if old is None or consent.starts_at < old:
                replaced[consent.supersedes] = consent.starts_at
    return ConsentIndex(facts=facts, entries=tuple(_entry(c, facts, replaced) for c in consents))


def _entry(consent: Consent, facts: ConsentFacts, replaced: dict[str, datetime]) -> _Entry:
    born = facts.date_of_birth
    settled = (
        consent.decided_by is DecidedBy.SERVICE_USER
        and not facts.assessments
        and born is not None
        and age_on(born, consent.obtained_at.date()) >= AGE_PRESUMED_CAPABLE
    )
    refused = consent.decision is ConsentDecision.REFUSED
    ends = [
        moment
        for moment in (
            consent.withdrawal.at if consent.withdrawal is not None else None,
            consent.valid_until,
        )
        if moment is not None
    ]
    scope = consent.scope
    told = consent.explanation
    return _Entry(
        consent=consent,
        refused=refused,
        replaced_at=replaced.get(consent.id),
        settled=settled,
        id=consent.id,
        starts_at=consent.starts_at,
        ends_at=min(ends) if ends else None,
        exclusions=tuple(consent.exclusions),
        purposes=scope.purposes,
        named=scope.recipients | scope.recipient_isas if scope.recipient_isas else scope.recipients,
        categories=scope.data_categories,
        told_purposes=told.purposes,
        told_recipients=told.recipients,
        told_categories=told.data_categories,
        plain=settled and not refused,
        covers=scope.data_categories & told.data_categories,
        ids=(consent.id,),
    )
