"""What a disclosure decision is asked and what it answers: the request, the subject's facts,
and the Decision with its outcome, categories, conditions, basis and reasons.

Every request to share a service user's information (Principle 4) becomes a
``DisclosureRequest``; the shell fetches that person's ``SubjectFacts`` (consents and
capacity assessments for Procedure A4, objections for Principle 5, restrictions, and the
items professionals asked to keep from them, Principle 8); ``infoshare.policy.decide`` turns
both into a ``Decision``. A Decision carries everything the workflow records: which
categories may go (the minimum, Principle 7 and Procedure B7), which were withheld and why,
the conditions the shell must act on (transfer safeguards of Procedures B2–B5, telling the
subject or recording why not, marking items confidential, a review task after an emergency,
a referral to a designated officer under Procedure A5), the basis relied on, and reasons
that each cite their clause.

Each category asked ends in one of four states, ordered by how much of it leaves the
provider as the decision stands, without any further human decision: withheld < referred
(nothing leaves until a designated officer approves, Procedure A5) < anonymised (it leaves,
identifying no one, Principle 11) < permitted (it leaves, identifiable). The outcome is the
most any category reached: ``deny`` < ``refer`` < ``permit_anonymised`` < ``permit``
(``OUTCOME_RANK``). So a ``permit`` may still list ``referred`` categories, which wait for
the officer while the ``permitted`` ones go. Because every rule can only lower a category's
state, taking anything away (a purpose, a grant, a transfer method, a consent's scope, a
role, training) never raises any category, nor therefore the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from infoshare.domain.consent import ConsentFacts
from infoshare.policy.consent_index import ConsentIndex, index_consents
from infoshare.policy.frozen import quick_init
from infoshare.policy.reasons import Reason


class Outcome(StrEnum):
    """What may happen to the request."""

    DENY = "deny"
    #: nothing is shared now; some may be once a designated officer approves (Procedure A5)
    REFER = "refer"
    #: only anonymised information about the case may go (Principle 11, Procedure B8)
    PERMIT_ANONYMISED = "permit_anonymised"
    PERMIT = "permit"


#: the order the properties rely on: a narrower policy never moves a result up
OUTCOME_RANK: Final = MappingProxyType(
    {Outcome.DENY: 0, Outcome.REFER: 1, Outcome.PERMIT_ANONYMISED: 2, Outcome.PERMIT: 3}
)


class ClaimKind(StrEnum):
    """The basis a practitioner claims for the disclosure."""

    CONSENT = "consent"
    #: a legal ground that permits sharing without consent, with a justification (A5)
    STATUTORY = "statutory"
    #: the person's vital interests: share at once, a designated officer reviews afterwards
    EMERGENCY = "emergency"


class BasisKind(StrEnum):
    """What the decision rests on."""

    CONSENT = "consent"
    STATUTORY = "statutory"
    EMERGENCY = "emergency"
    #: no personal information leaves: anonymised output only (Principle 11)
    ANONYMISED = "anonymised"
    NONE = "none"


class ConditionKind(StrEnum):
    """Something the shell (or the practitioner) must do for the decision to hold."""

    #: a safeguard of the transfer method (Procedures B2–B5)
    TRANSFER_SAFEGUARD = "transfer-safeguard"
    #: tell the service user what was shared, with whom and why (Principles 5 and 12)
    INFORM_SUBJECT = "inform-subject"
    #: the subject is not told (it would prejudice the purpose): record why not
    RECORD_WHY_NOT_INFORMED = "record-why-not-informed"
    #: the items stay marked confidential from the subject, with reason and ground (P8)
    MARK_CONFIDENTIAL = "mark-confidential"
    #: say whether each item is fact, opinion or both (Principle 10)
    STATE_FACT_OR_OPINION = "state-fact-or-opinion"
    #: anonymise and suppress small numbers before anything leaves (Procedure B8)
    ANONYMISE = "anonymise"
    #: a designated officer reviews an emergency disclosure by ``due_at`` (Procedure A5)
    CREATE_REVIEW_TASK = "create-review-task"
    #: a designated officer of the provider decides before anything is shared (A5)
    REFER_TO_DESIGNATED_OFFICER = "refer-to-designated-officer"


@dataclass(frozen=True, slots=True)
class ClaimedBasis:
    """The basis claimed in the request; by default, the person's consent."""

    kind: ClaimKind = ClaimKind.CONSENT
    #: for ``statutory``: ids of the pack's legal grounds relied on
    legal_grounds: tuple[str, ...] = ()
    #: for ``statutory``: why sharing without consent is necessary (Principle 6)
    justification: str = ""
    #: for ``emergency``: what makes it urgent, in the practitioner's words
    emergency_reason: str = ""


@dataclass(frozen=True, slots=True)
class Approval:
    """A designated officer's approval of sharing without consent (Procedure A5).

    The shell checks it is genuine and not replayed (the referral it answers); the core
    checks that it names a designated officer of the provider who is not the requester, and
    that it approves this subject, purpose, these grounds and these categories.
    """

    officer_id: str
    subject_id: str
    purpose: str
    legal_grounds: tuple[str, ...]
    data_categories: tuple[str, ...]
    at: datetime
    referral_id: str | None = None


@dataclass(frozen=True, slots=True)
class PriorDisclosure:
    """The earlier disclosure a request for onward use derives from (Procedure B6)."""

    disclosure_id: str
    #: who received it: the organisation now asking to use it again
    recipient: str
    purpose: str
    data_categories: tuple[str, ...]
    isa_reference: str | None = None


@dataclass(frozen=True, slots=True)
class DisclosureRequest:
    """One request to share information about one service user."""

    #: the staff id of the person asking (at the provider or at the recipient)
    requester: str
    provider: str
    recipient: str
    #: the service user's pseudonymous reference
    subject_id: str
    purpose: str
    data_categories: tuple[str, ...]
    transfer_method: str
    #: when the decision is asked about; time comes in, it is never read
    at: datetime
    basis: ClaimedBasis = field(default_factory=ClaimedBasis)
    #: the agreement the request is made under, if the requester names one
    isa_reference: str | None = None
    #: the role of the person who will receive it, when the requester is at the provider
    recipient_role: str | None = None
    derived_from: PriorDisclosure | None = None
    approval: Approval | None = None


@dataclass(frozen=True, slots=True)
class Objection:
    """The person objected to sharing (Principle 5): like a refusal, it raises the bar.

    Each non-empty dimension narrows it; an empty one means "any". ``until`` is when the
    person lifted it, if they did: a request before then still meets it.
    """

    id: str
    at: datetime
    recipients: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    data_categories: frozenset[str] = frozenset()
    note: str = ""
    until: datetime | None = None

    def applies(self, recipient: str, purpose: str, category: str, at: datetime) -> bool:
        return (
            self.at <= at
            and (self.until is None or at < self.until)
            and (not self.recipients or recipient in self.recipients)
            and (not self.purposes or purpose in self.purposes)
            and (not self.data_categories or category in self.data_categories)
        )


@dataclass(frozen=True, slots=True)
class Restriction:
    """A recorded restriction on disclosing some of the person's information (a court
    order, a protected address): those categories are withheld whatever the basis."""

    id: str
    data_categories: frozenset[str]
    reason: str
    recipients: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    until: datetime | None = None

    def applies(self, recipient: str, purpose: str, category: str, at: datetime) -> bool:
        return (
            category in self.data_categories
            and (not self.recipients or recipient in self.recipients)
            and (not self.purposes or purpose in self.purposes)
            and (self.until is None or at < self.until)
        )


@dataclass(frozen=True, slots=True)
class ConfidentialItem:
    """Information a professional asked to keep from the subject (Principle 8).

    Such a decision is taken only on statutory grounds; ``ground`` names the pack's legal
    ground, ``reason`` why. Whatever is shared of these categories stays marked.
    """

    id: str
    data_categories: frozenset[str]
    reason: str
    ground: str
    requested_by: str = ""


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """What the decision needs to know about one service user, fetched in one query."""

    consent: ConsentFacts
    objections: tuple[Objection, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    confidential: tuple[ConfidentialItem, ...] = ()
    #: the consents indexed once, when the facts are fetched, for repeated checks
    consent_index: ConsentIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("objections", "restrictions", "confidential"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "consent_index", index_consents(self.consent))

    @property
    def subject_id(self) -> str:
        return self.consent.subject_id

    @property
    def date_of_birth(self) -> date | None:
        return self.consent.date_of_birth


@quick_init
@dataclass(frozen=True, slots=True)
class Condition:
    """Something that must be done for the decision to hold, citing its clause."""

    kind: ConditionKind
    clause: str
    text: str
    #: what it is about: a safeguard id, categories, officer ids
    refs: tuple[str, ...] = ()
    #: for a review task: when it becomes overdue
    due_at: datetime | None = None
    #: for a referral or review task: the organisation whose officers act
    organisation: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class WithheldCategory:
    """A category asked for and not shared, with why."""

    category: str
    reasons: tuple[Reason, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Basis:
    """What a decision rests on: consents, legal grounds with their approval, or emergency."""

    kind: BasisKind
    consent_ids: tuple[str, ...] = ()
    legal_grounds: tuple[str, ...] = ()
    justification: str = ""
    #: whether a designated officer must approve first (Procedure A5)
    approval_required: bool = False
    approved_by: str | None = None
    emergency_reason: str = ""


NO_BASIS: Final = Basis(BasisKind.NONE)


@quick_init
@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one DisclosureRequest."""

    outcome: Outcome
    #: categories that may be shared now, in the order asked (anonymised, for that outcome)
    permitted: tuple[str, ...]
    withheld: tuple[WithheldCategory, ...]
    conditions: tuple[Condition, ...]
    basis: Basis
    reasons: tuple[Reason, ...]
    #: categories that wait for a designated officer's approval (Procedure A5)
    referred: tuple[str, ...] = ()
    #: the agreement the decision was made under, if any
    isa_reference: str | None = None

    @property
    def permits(self) -> bool:
        """Whether anything may be shared now (identifiable or anonymised)."""
        return self.outcome in (Outcome.PERMIT, Outcome.PERMIT_ANONYMISED)

    @property
    def rank(self) -> int:
        return OUTCOME_RANK[self.outcome]

    def state(self, category: str) -> int:
        """How far ``category`` got: 0 withheld, 1 referred, 2 anonymised, 3 permitted."""
        if category in self.permitted:
            return 3 if self.outcome is Outcome.PERMIT else 2
        return 1 if category in self.referred else 0

    @property
    def codes(self) -> tuple[str, ...]:
        """Every reason code, of the decision and of each withheld category, in order."""
        found = [r.code.value for r in self.reasons]
        found += [r.code.value for w in self.withheld for r in w.reasons]
        return tuple(dict.fromkeys(found))
