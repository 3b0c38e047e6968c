"""Consent records: who decided what about sharing, when, how, and how well informed.

Principle 5 asks organisations to seek the service user's consent wherever possible, having
made them fully aware of the information it is proposed to share and the purposes it will
be used for. Procedure A1 obtains consent, A3 records it, and A4 checks it on every
disclosure (``infoshare.policy.consent``); Appendix 4's consent form carries the same fields
as the record here.

A record holds the decision (given, or refused: a refusal is a record too, and Procedure A5
raises the bar for sharing against it), who made it (the service user, a representative
with their authority, or a best-interests decision), who obtained it and how, what was
explained, its scope (purposes, recipients, data categories), the limits the person set
("never to West Yorkshire Police", "not mental health information"), its validity, its
review date, and its withdrawal. Records are never edited to change the past: a withdrawal
is added to a record and applies from its moment on; a newer consent supersedes an older
one by naming it.

Every check that needs nothing but the record itself happens when the record is built, so
every interface (web, REST, FHIR, import) refuses the same bad input with the same error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from infoshare.domain.capacity import CapacityAssessment
from infoshare.domain.moments import not_after, utc_moment
from infoshare.errors import (
    AlreadyWithdrawnError,
    ConsentRecordError,
    InvalidPeriodError,
    MissingAuthorityError,
)


class ConsentDecision(StrEnum):
    """What the person decided about the sharing proposed to them."""

    GIVEN = "given"
    REFUSED = "refused"


class CollectionMethod(StrEnum):
    """How the decision (or its withdrawal) was obtained (Procedure A3)."""

    SIGNED_FORM = "signed-form"
    VERBAL_RECORDED = "verbal-recorded"
    ELECTRONIC = "electronic"


class DecidedBy(StrEnum):
    """Whose decision the record holds."""

    SERVICE_USER = "service-user"
    REPRESENTATIVE = "representative"
    #: a decision made for a person who cannot decide, in their best interests (Procedure A2)
    BEST_INTERESTS = "best-interests"


class AuthorityKind(StrEnum):
    """What lets a representative decide for someone else (Procedure A2)."""

    #: for a child: a parent or other person with parental responsibility (Children Act 1989)
    PARENTAL_RESPONSIBILITY = "parental-responsibility"
    #: lasting power of attorney for health and welfare decisions
    LPA_HEALTH_AND_WELFARE = "lpa-health-and-welfare"
    #: lasting power of attorney for property and financial affairs only
    LPA_PROPERTY_AND_FINANCIAL = "lpa-property-and-financial"
    #: a deputy appointed by the Court of Protection for personal welfare
    COURT_APPOINTED_DEPUTY = "court-appointed-deputy"
    #: a relative, carer or advocate with no legal authority to decide
    OTHER = "other"


#: the authorities that rest on a document whose reference must be recorded
DOCUMENTED_AUTHORITIES = frozenset(
    {
        AuthorityKind.LPA_HEALTH_AND_WELFARE,
        AuthorityKind.LPA_PROPERTY_AND_FINANCIAL,
        AuthorityKind.COURT_APPOINTED_DEPUTY,
    }
)


def _require_text(value: str, *, field: str, what: str) -> None:
    if not value.strip():
        raise ConsentRecordError(f"{what} needs `{field}`; it was empty", field=field)


@dataclass(frozen=True, slots=True)
class Representative:
    """Someone who decides for the service user, and the authority they decide under."""

    name: str
    #: how they are related to the service user, e.g. ``mother``, ``daughter``, ``advocate``
    relationship: str
    authority: AuthorityKind
    #: the LPA's registration reference or the court order's number, where there is one
    authority_reference: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.name, field="representative.name", what="a representative")
        _require_text(
            self.relationship, field="representative.relationship", what="a representative"
        )
        if (
            self.authority in DOCUMENTED_AUTHORITIES
            and not (self.authority_reference or "").strip()
        ):
            raise MissingAuthorityError(
                f"`{self.name}` acts under `{self.authority}` but its reference is not recorded; "
                "record the registration reference or court order number, or record them "
                "with authority `other`",
                field="representative.authority_reference",
            )


@dataclass(frozen=True, slots=True)
class ConsentScope:
    """What a decision is about: purposes, recipients and kinds of information.

    Recipients are organisation codes, or references of information sharing agreements
    meaning "the parties to ISA X"; the caller resolves an agreement's parties.
    """

    purposes: frozenset[str]
    data_categories: frozenset[str]
    recipients: frozenset[str] = frozenset()
    recipient_isas: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("purposes", "data_categories", "recipients", "recipient_isas"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if not self.purposes:
            raise ConsentRecordError(
                "name at least one purpose the decision is about (Section 2.1)",
                field="scope.purposes",
            )
        if not self.data_categories:
            raise ConsentRecordError(
                "name at least one kind of information the decision is about",
                field="scope.data_categories",
            )
        if not self.recipients and not self.recipient_isas:
            raise ConsentRecordError(
                "name the organisations the information may go to, or an agreement whose "
                "parties they are",
                field="scope.recipients",
            )


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A limit the person set: never this information, to these recipients, for these purposes.

    Each non-empty dimension narrows it; an empty one means "any". ``recipients={"WYP"}``
    alone is "never to West Yorkshire Police"; ``data_categories={"mental-health"}`` alone
    is "not mental health information"; both together is "no mental health information to
    the police".
    """

    recipients: frozenset[str] = frozenset()
    data_categories: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    #: the person's words, as recorded
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("recipients", "data_categories", "purposes"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if not (self.recipients or self.data_categories or self.purposes):
            raise ConsentRecordError(
                "an exclusion must name a recipient, a data category or a purpose; "
                "to refuse everything, record a refusal instead",
                field="exclusions",
            )

    def matches(self, recipient: str, purpose: str, category: str) -> bool:
        return (
            (not self.recipients or recipient in self.recipients)
            and (not self.data_categories or category in self.data_categories)
            and (not self.purposes or purpose in self.purposes)
        )


@dataclass(frozen=True, slots=True)
class Explanation:
    """What the person was told before deciding (Principle 5: fully aware)."""

    purposes: frozenset[str]
    data_categories: frozenset[str]
    #: organisation codes or agreement references, as in ConsentScope
    recipients: frozenset[str]
    leaflet_given: bool
    #: which information leaflet, where one was given
    leaflet_version: str | None = None

    def __post_init__(self) -> None:
        for name in ("purposes", "data_categories", "recipients"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """The person (or their representative) took their consent back, from ``at`` on."""

    at: datetime
    method: CollectionMethod
    #: the staff member who recorded it, and their organisation's code
    recorded_by: str
    recorded_by_organisation: str
    by: DecidedBy = DecidedBy.SERVICE_USER
    representative: Representative | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc_moment(self.at, field="withdrawal.at"))
        _require_text(self.recorded_by, field="withdrawal.recorded_by", what="a withdrawal")
        _require_text(
            self.recorded_by_organisation,
            field="withdrawal.recorded_by_organisation",
            what="a withdrawal",
        )
        if self.by is DecidedBy.REPRESENTATIVE and self.representative is None:
            raise MissingAuthorityError(
                "the withdrawal was made by a representative; record who they are and "
                "their authority",
                field="withdrawal.representative",
            )


@dataclass(frozen=True, slots=True)
class Consent:
    """One decision about sharing, as recorded under Procedure A3 (Appendix 4's fields)."""

    id: str
    #: the service user's pseudonymous reference (never the NHS number in clear)
    subject_id: str
    decision: ConsentDecision
    scope: ConsentScope
    decided_by: DecidedBy
    #: the staff member who obtained it, and their organisation's code
    obtained_by: str
    obtained_by_organisation: str
    obtained_at: datetime
    method: CollectionMethod
    explanation: Explanation
    representative: Representative | None = None
    #: the version of the consent form (Appendix 4) signed or read out
    form_version: str | None = None
    #: when it starts to apply; never before it was obtained (None: when obtained)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    review_date: date | None = None
    exclusions: tuple[Exclusion, ...] = field(default=())
    #: why a best-interests decision was taken, and whom the decision-maker consulted
    best_interests_reasons: str | None = None
    #: the id of the earlier consent this one replaces
    supersedes: str | None = None
    withdrawal: Withdrawal | None = None

    def __post_init__(self) -> None:
        for name in ("id", "subject_id", "obtained_by", "obtained_by_organisation"):
            _require_text(getattr(self, name), field=name, what="a consent record")
        object.__setattr__(self, "exclusions", tuple(self.exclusions))
        obtained_at = utc_moment(self.obtained_at, field="obtained_at")
        object.__setattr__(self, "obtained_at", obtained_at)
        if self.valid_from is not None:
            object.__setattr__(self, "valid_from", utc_moment(self.valid_from, field="valid_from"))
        if self.valid_until is not None:
            until = utc_moment(self.valid_until, field="valid_until")
            object.__setattr__(self, "valid_until", until)
            start = self.valid_from or obtained_at
            if until <= start:
                raise InvalidPeriodError(
                    f"the consent is valid until `{until.isoformat()}`, which is not after it "
                    f"starts (`{start.isoformat()}`); give an end after the start, or none",
                    field="valid_until",
                )
        if self.review_date is not None and self.review_date < obtained_at.date():
            raise InvalidPeriodError(
                f"the review date `{self.review_date}` is before the consent was obtained "
                f"(`{obtained_at.date()}`); give a review date on or after it",
                field="review_date",
            )
        self._check_who_decided()
        if self.method is CollectionMethod.SIGNED_FORM and not (self.form_version or "").strip():
            raise ConsentRecordError(
                "the consent was given on a signed form; record the form's version",
                field="form_version",
            )
        if self.decision is ConsentDecision.REFUSED and self.exclusions:
            raise ConsentRecordError(
                "a refusal has no exclusions; narrow the refusal's scope instead",
                field="exclusions",
            )
        if self.supersedes == self.id:
            raise ConsentRecordError(
                f"consent `{self.id}` cannot supersede itself; name the earlier consent",
                field="supersedes",
            )
        if self.withdrawal is not None:
            self._check_withdrawal(self.withdrawal)

    def _check_who_decided(self) -> None:
        if self.decided_by is DecidedBy.REPRESENTATIVE and self.representative is None:
            raise MissingAuthorityError(
                "the decision was made by a representative; record who they are and "
                "the authority they act under",
                field="representative",
            )
        if self.decided_by is not DecidedBy.REPRESENTATIVE and self.representative is not None:
            raise ConsentRecordError(
                f"a representative is recorded but the decision is marked `{self.decided_by}`; "
                "mark it `representative` or remove the representative",
                field="decided_by",
            )
        if (
            self.decided_by is DecidedBy.BEST_INTERESTS
            and not (self.best_interests_reasons or "").strip()
        ):
            raise ConsentRecordError(
                "a best-interests decision needs its reasons and who was consulted recorded",
                field="best_interests_reasons",
            )

    def _check_withdrawal(self, withdrawal: Withdrawal) -> None:
        if self.decision is ConsentDecision.REFUSED:
            raise ConsentRecordError(
                f"`{self.id}` is a refusal, which is not withdrawn; record a new consent "
                "that supersedes it",
                field="withdrawal",
            )
        if withdrawal.at < self.obtained_at:
            raise ConsentRecordError(
                f"the withdrawal at `{withdrawal.at.isoformat()}` is before the consent was "
                f"obtained (`{self.obtained_at.isoformat()}`); correct the withdrawal's date",
                field="withdrawal.at",
            )

    @property
    def starts_at(self) -> datetime:
        """When the decision starts to apply: never before it was obtained."""
        if self.valid_from is None or self.valid_from < self.obtained_at:
            return self.obtained_at
        return self.valid_from

    def check_recorded(self, now: datetime) -> None:
        """Raise FutureTimestampError when obtained or withdrawn after ``now``."""
        not_after(self.obtained_at, now, field="obtained_at", what="the consent was obtained")
        if self.withdrawal is not None:
            not_after(self.withdrawal.at, now, field="withdrawal.at", what="it was withdrawn")

    def withdraw(self, withdrawal: Withdrawal, *, now: datetime) -> Consent:
        """This consent with ``withdrawal`` added; the record before it is unchanged.

        Raises AlreadyWithdrawnError when it is already withdrawn, and ConsentRecordError
        for a refusal or a withdrawal dated before the consent or after ``now``.
        """
        if self.withdrawal is not None:
            raise AlreadyWithdrawnError(
                f"consent `{self.id}` was already withdrawn at "
                f"`{self.withdrawal.at.isoformat()}`; a withdrawal is recorded once",
                field="withdrawal",
            )
        not_after(withdrawal.at, now, field="withdrawal.at", what="it was withdrawn")
        return dataclasses.replace(self, withdrawal=withdrawal)


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """What the consent check needs to know about one service user.

    The decision engine's subject facts carry these alongside objections and restrictions;
    the order of records does not matter to any result.
    """

    subject_id: str
    date_of_birth: date | None
    consents: tuple[Consent, ...] = ()
    assessments: tuple[CapacityAssessment, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "consents", tuple(self.consents))
        object.__setattr__(self, "assessments", tuple(self.assessments))
        _check_unique((c.id for c in self.consents), what="consent")
        _check_unique((a.id for a in self.assessments), what="capacity assessment")
        records: tuple[Consent | CapacityAssessment, ...] = (*self.consents, *self.assessments)
        for record in records:
            if record.subject_id != self.subject_id:
                raise ConsentRecordError(
                    f"`{record.id}` is about `{record.subject_id}`, not `{self.subject_id}`; "
                    "give only this service user's records",
                    field="subject_id",
                )
        if self.date_of_birth is not None:
            for consent in self.consents:
                self._check_after_birth(consent.id, consent.obtained_at)
            for assessment in self.assessments:
                self._check_after_birth(assessment.id, assessment.assessed_at)

    def _check_after_birth(self, record_id: str, moment: datetime) -> None:
        assert self.date_of_birth is not None
        if moment.date() < self.date_of_birth:
            raise ConsentRecordError(
                f"`{record_id}` is dated `{moment.date()}`, before the date of birth "
                f"`{self.date_of_birth}`; correct one of them",
                field="date_of_birth",
            )


def _check_unique(ids: Iterable[str], *, what: str) -> None:
    seen: set[str] = set()
    for record_id in ids:
        if record_id in seen:
            raise ConsentRecordError(
                f"two {what} records have the id `{record_id}`; ids must be unique",
                field="id",
            )
        seen.add(record_id)
