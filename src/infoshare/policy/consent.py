"""Checking for consent when sharing (Procedure A4): which consent covers which information.

``check_consent(facts, query)`` answers, for one recipient, one purpose, some data
categories and one moment: which consent covers each category, and for each category not
covered, why not, every reason citing its clause. It also says whether an explicit refusal
applies, because a refusal raises the bar (Principle 5, Procedure A5): only a statutory
ground approved by a designated officer can override it.

The rule, "the most restrictive wins" where records conflict. A category is covered when

1. some consent *in force* covers it: it was given, its scope names the purpose, the
   recipient (or an agreement the request is made under, whose parties include the
   recipient) and the category; the person was told about each of those (Principle 5); it
   has started and is not withdrawn, expired or superseded at the moment asked about; and
   its maker could make that decision (Procedure A2, ``infoshare.policy.capacity``); and
2. no refusal in force applies to it: a refusal whose scope names the purpose, recipient
   and category, made by someone who could decide; and
3. no exclusion applies to it: an exclusion ("never to the police", "not mental health
   information") of any consent that has started and is not superseded. Exclusions outlast
   the withdrawal or expiry of the consent that set them, because what a person said they
   never want does not lapse with the permission they gave; only a newer consent that
   supersedes the record replaces them.

A withdrawal applies to every moment from its own on and never to moments before it, so a
decision can be replayed as it was made. The order in which records arrive changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Final

from infoshare.domain.consent import Consent, ConsentDecision, ConsentFacts, Exclusion
from infoshare.domain.moments import utc_moment
from infoshare.errors import InputError
from infoshare.policy.capacity import decision_maker_problem
from infoshare.policy.reasons import Reason, ReasonCode, reason


class ConsentStatus(StrEnum):
    """Where a consent record is in its life at a moment."""

    ACTIVE = "active"
    #: a refusal that has started and is not superseded or expired
    REFUSED = "refused"
    NOT_YET_VALID = "not-yet-valid"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class IsaContext:
    """The agreement a request is made under, with its parties' organisation codes."""

    reference: str
    parties: frozenset[str]


@dataclass(frozen=True, slots=True)
class ConsentQuery:
    """What is asked: may ``data_categories`` go to ``recipient`` for ``purpose`` at ``at``?"""

    recipient: str
    purpose: str
    data_categories: tuple[str, ...]
    at: datetime
    isa: IsaContext | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc_moment(self.at, field="at"))
        object.__setattr__(self, "data_categories", tuple(dict.fromkeys(self.data_categories)))
        if not self.data_categories:
            raise InputError(
                "name at least one data category to check consent for", field="data_categories"
            )


@dataclass(frozen=True, slots=True)
class CategoryCoverage:
    """For one category: the consents covering it, or why none does."""

    category: str
    #: ids of every consent covering it, sorted; empty when not covered
    covered_by: tuple[str, ...]
    #: the finding first, then the most specific reasons first
    reasons: tuple[Reason, ...]

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass(frozen=True, slots=True)
class ConsentCoverage:
    """The answer of the consent check (Procedure A4) for one query."""

    query: ConsentQuery
    categories: tuple[CategoryCoverage, ...]
    #: ids of refusals in force that apply to any category asked about, sorted
    refused_by: tuple[str, ...]

    @property
    def refusal_applies(self) -> bool:
        """Whether an explicit refusal applies: sharing then needs Procedure A5's approval."""
        return bool(self.refused_by)

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(c.category for c in self.categories if c.covered)

    @property
    def not_covered(self) -> tuple[str, ...]:
        return tuple(c.category for c in self.categories if not c.covered)

    @property
    def all_covered(self) -> bool:
        return all(c.covered for c in self.categories)

    def category(self, category: str) -> CategoryCoverage:
        for coverage in self.categories:
            if coverage.category == category:
                return coverage
        raise KeyError(category)


#: how far a consent got through the check before failing: later is more specific
_SPECIFICITY: Final = {
    code: rank
    for rank, code in enumerate(
        (
            ReasonCode.NO_CONSENT,
            ReasonCode.PURPOSE_OUT_OF_SCOPE,
            ReasonCode.RECIPIENT_OUT_OF_SCOPE,
            ReasonCode.CATEGORY_OUT_OF_SCOPE,
            ReasonCode.CONSENT_NOT_YET_VALID,
            ReasonCode.CONSENT_SUPERSEDED,
            ReasonCode.CONSENT_EXPIRED,
            ReasonCode.CONSENT_WITHDRAWN,
            ReasonCode.CONSENT_NOT_INFORMED,
            ReasonCode.AGE_UNKNOWN,
            ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT,
            ReasonCode.LACKS_CAPACITY,
            ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES,
            ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY,
            ReasonCode.PURPOSE_EXCLUDED,
            ReasonCode.RECIPIENT_EXCLUDED,
            ReasonCode.CATEGORY_EXCLUDED,
            ReasonCode.CONSENT_REFUSED,
        )
    )
}


#: for each superseded consent id: when the first newer record naming it starts, and their ids
_Replacements = Mapping[str, tuple[datetime, tuple[str, ...]]]


def _replacements(consents: Iterable[Consent]) -> _Replacements:
    newer: dict[str, list[Consent]] = {}
    for consent in consents:
        if consent.supersedes is not None:
            newer.setdefault(consent.supersedes, []).append(consent)
    return {
        old: (min(c.starts_at for c in records), tuple(sorted(c.id for c in records)))
        for old, records in newer.items()
    }


def status_at(consent: Consent, facts: ConsentFacts, at: datetime) -> ConsentStatus:
    """Where ``consent`` is in its life at ``at``."""
    at = utc_moment(at, field="at")
    problem = _lifecycle_problem(consent, _replacements(facts.consents), at)
    if problem is not None:
        return _STATUS_OF[problem.code]
    if consent.decision is ConsentDecision.REFUSED:
        return ConsentStatus.REFUSED
    return ConsentStatus.ACTIVE


_STATUS_OF: Final = {
    ReasonCode.CONSENT_NOT_YET_VALID: ConsentStatus.NOT_YET_VALID,
    ReasonCode.CONSENT_SUPERSEDED: ConsentStatus.SUPERSEDED,
    ReasonCode.CONSENT_WITHDRAWN: ConsentStatus.WITHDRAWN,
    ReasonCode.CONSENT_EXPIRED: ConsentStatus.EXPIRED,
}


def check_consent(facts: ConsentFacts, query: ConsentQuery) -> ConsentCoverage:
    """Which consent covers which category of ``query``, and why the others are not covered."""
    consents = sorted(facts.consents, key=lambda c: (c.starts_at, c.id))
    replaced = _replacements(consents)
    categories = tuple(
        _check_category(facts, consents, replaced, query, c) for c in query.data_categories
    )
    refused_by = sorted(
        {
            ref
            for coverage in categories
            for r in coverage.reasons
            if r.code is ReasonCode.CONSENT_REFUSED
            for ref in r.refs[:1]
        }
    )
    return ConsentCoverage(query=query, categories=categories, refused_by=tuple(refused_by))


def _check_category(
    facts: ConsentFacts,
    consents: list[Consent],
    replaced: _Replacements,
    query: ConsentQuery,
    category: str,
) -> CategoryCoverage:
    blockers: list[Reason] = []
    failures: list[Reason] = []
    covering: list[str] = []
    for consent in consents:
        blockers.extend(_exclusions_applying(consent, replaced, query, category))
        problem = _problem(consent, facts, replaced, query, category)
        if consent.decision is ConsentDecision.REFUSED:
            if problem is None:
                blockers.append(_refused(consent, query, category))
        elif problem is None:
            covering.append(consent.id)
        else:
            failures.append(problem)
    if blockers:
        return CategoryCoverage(category, (), most_specific_first(blockers))
    if covering:
        covered_by = tuple(sorted(covering))
        found = reason(
            ReasonCode.CONSENT_COVERS,
            f"consent covers sharing `{category}` with `{query.recipient}` for `{query.purpose}`",
            *covered_by,
        )
        return CategoryCoverage(category, covered_by, (found,))
    if not failures:
        failures.append(no_consent(category))
    return CategoryCoverage(category, (), most_specific_first(failures))


def no_consent(category: str) -> Reason:
    """The reason when no consent about ``category`` is on record at all."""
    return reason(
        ReasonCode.NO_CONSENT,
        f"no consent to share `{category}` is recorded; seek consent (Procedure A1) "
        "or consider whether Procedure A5 allows sharing without it",
    )


def _problem(
    consent: Consent,
    facts: ConsentFacts,
    replaced: _Replacements,
    query: ConsentQuery,
    category: str,
) -> Reason | None:
    """The first reason ``consent`` does not decide about ``category`` now, or None."""
    return (
        scope_problem(consent, query.recipient, query.purpose, query.isa, category)
        or _lifecycle_problem(consent, replaced, query.at)
        or _informed_problem(consent, query, category)
        or decision_maker_problem(
            consent, facts, purpose=query.purpose, category=category, at=query.at
        )
    )


def _recipient_in(names: frozenset[str], query: ConsentQuery) -> bool:
    """Whether ``names`` (codes or agreement references) include the query's recipient."""
    return names_recipient(names, query.recipient, query.isa)


def names_recipient(names: frozenset[str], recipient: str, isa: IsaContext | None) -> bool:
    """Whether ``names`` name ``recipient``, or the agreement it shares under as a party."""
    if recipient in names:
        return True
    return isa is not None and isa.reference in names and recipient in isa.parties


def scope_problem(
    consent: Consent, recipient: str, purpose: str, isa: IsaContext | None, category: str
) -> Reason | None:
    """Why ``consent``'s scope does not name the purpose, recipient or category, or None.

    The first test of Procedure A4, on its own so the consent index can give the same reason.
    """
    return unnamed_problem(consent, recipient, purpose, isa) or category_problem(consent, category)


def unnamed_problem(
    consent: Consent, recipient: str, purpose: str, isa: IsaContext | None
) -> Reason | None:
    """Why ``consent``'s scope does not name the purpose or the recipient, or None."""
    scope = consent.scope
    if purpose not in scope.purposes:
        return reason(
            ReasonCode.PURPOSE_OUT_OF_SCOPE,
            f"consent is for {_listed(scope.purposes)}, not `{purpose}`",
            consent.id,
        )
    named = scope.recipients | scope.recipient_isas if scope.recipient_isas else scope.recipients
    if not names_recipient(named, recipient, isa):
        under = "" if isa is None else f" under agreement `{isa.reference}`"
        return reason(
            ReasonCode.RECIPIENT_OUT_OF_SCOPE,
            f"consent names {_listed(named)}, not `{recipient}`{under}",
            consent.id,
        )
    return None


def category_problem(consent: Consent, category: str) -> Reason | None:
    """Why ``consent``'s scope does not name ``category``, or None."""
    categories = consent.scope.data_categories
    if category not in categories:
        return reason(
            ReasonCode.CATEGORY_OUT_OF_SCOPE,
            f"consent covers {_listed(categories)}, not `{category}`",
            consent.id,
        )
    return None


def _lifecycle_problem(consent: Consent, replaced: _Replacements, at: datetime) -> Reason | None:
    if at < consent.starts_at:
        return reason(
            ReasonCode.CONSENT_NOT_YET_VALID,
            f"consent applies from {consent.starts_at.isoformat()}",
            consent.id,
        )
    replacement = replaced.get(consent.id)
    if replacement is not None and replacement[0] <= at:
        when, newer = replacement
        return reason(
            ReasonCode.CONSENT_SUPERSEDED,
            f"consent was replaced by a newer one on {when.date().isoformat()}",
            consent.id,
            *newer,
        )
    if consent.withdrawal is not None and consent.withdrawal.at <= at:
        return reason(
            ReasonCode.CONSENT_WITHDRAWN,
            f"consent was withdrawn on {consent.withdrawal.at.date().isoformat()}; it covers "
            "no sharing from then on",
            consent.id,
        )
    if consent.valid_until is not None and consent.valid_until <= at:
        return reason(
            ReasonCode.CONSENT_EXPIRED,
            f"consent expired on {consent.valid_until.date().isoformat()}; seek it again",
            consent.id,
        )
    return None


def _informed_problem(consent: Consent, query: ConsentQuery, category: str) -> Reason | None:
    explained = consent.explanation
    missing = []
    if query.purpose not in explained.purposes:
        missing.append(f"the purpose `{query.purpose}`")
    if not _recipient_in(explained.recipients, query):
        missing.append(f"the recipient `{query.recipient}`")
    if category not in explained.data_categories:
        missing.append(f"that `{category}` would be shared")
    if not missing:
        return None
    return reason(
        ReasonCode.CONSENT_NOT_INFORMED,
        f"the record does not show the person was told {' or '.join(missing)}; "
        "consent must be informed, so explain and ask again",
        consent.id,
    )


def _exclusions_applying(
    consent: Consent, replaced: _Replacements, query: ConsentQuery, category: str
) -> list[Reason]:
    if not consent.exclusions or query.at < consent.starts_at:
        return []
    replacement = replaced.get(consent.id)
    if replacement is not None and replacement[0] <= query.at:
        return []
    return [
        _excluded(exclusion, consent, query, category)
        for exclusion in consent.exclusions
        if exclusion.matches(query.recipient, query.purpose, category)
    ]


def _excluded(exclusion: Exclusion, consent: Consent, query: ConsentQuery, category: str) -> Reason:
    said = f" (“{exclusion.note}”)" if exclusion.note else ""
    if exclusion.data_categories:
        code, what = ReasonCode.CATEGORY_EXCLUDED, f"`{category}` information"
    elif exclusion.recipients:
        code, what = ReasonCode.RECIPIENT_EXCLUDED, f"sharing with `{query.recipient}`"
    else:
        code, what = ReasonCode.PURPOSE_EXCLUDED, f"sharing for `{query.purpose}`"
    return reason(code, f"the person excluded {what}{said}", consent.id)


def _refused(consent: Consent, query: ConsentQuery, category: str) -> Reason:
    return refused_reason(consent.id, query.recipient, query.purpose, category)


def refused_reason(consent_id: str, recipient: str, purpose: str, category: str) -> Reason:
    """The reason an explicit refusal in force gives for ``category`` (Principle 5, A5).

    On its own so the consent index can give the same reason without a query.
    """
    return reason(
        ReasonCode.CONSENT_REFUSED,
        f"the person refused consent to share `{category}` with `{recipient}` for "
        f"`{purpose}`; only a statutory ground approved by a designated officer "
        "can override a refusal (Procedure A5)",
        consent_id,
    )


def most_specific_first(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    """``reasons`` without repeats, the most specific first: the order check_consent gives."""
    unique = dict.fromkeys(reasons)
    return tuple(
        sorted(unique, key=lambda r: (-_SPECIFICITY.get(r.code, 0), r.code, r.refs, r.message))
    )


def _listed(names: Iterable[str]) -> str:
    if isinstance(names, frozenset):
        return _listed_set(names)
    return ", ".join(f"`{name}`" for name in sorted(names))


@lru_cache(maxsize=4096)
def _listed_set(names: frozenset[str]) -> str:
    # Scopes repeat (every consent on one agreement's form lists the same categories), and
    # the decision asks about many people: the text of a set is built once, not per check.
    return ", ".join(f"`{name}`" for name in sorted(names))
