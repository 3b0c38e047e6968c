"""Information Sharing Agreements: what partners agree to share, with whom, why and how.

The protocol is a framework; it is "activated through Information Sharing Agreements for
specific areas of service" (Section 1.1, Section 3.1), each consistent with the protocol, of
which Appendix 3 gives an example. An agreement names its parties and what each does, the
purposes (Section 2.1) with their legal grounds (Section 2.2) and consent model (Principles
5 and 6, Procedure A5), the data categories and the need-to-know matrix of Appendix 2
(Principle 7, Procedure B7), the transfer methods allowed (Procedures B2–B5), retention,
data quality and security arrangements, the statistics and reports owed (Section 4.3),
start, review (Section 4.4) and end dates, its signatories and contacts (Procedure A6), and
the history of its versions.

This module holds the shape of an agreement only. Identifiers of the protocol's world
(organisation codes, purposes, categories, roles, legal grounds, transfer methods) are plain
strings here on purpose: a file naming an unknown purpose still parses, and the lint
(``infoshare.policy.isa_lint``) reports it citing the clause it breaks. What the schema
refuses is what no protocol could make sense of: unknown fields, wrong types, and dates out
of order.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IsaStatus(StrEnum):
    """Where an agreement is in its life; ``infoshare.policy.isa_lifecycle`` moves it on."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    #: every party has signed; not yet in force
    SIGNED = "signed"
    ACTIVE = "active"
    #: in force, but its review date has come (Section 4.4)
    REVIEW_DUE = "review-due"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    #: replaced by a later version, which stays readable beside it
    SUPERSEDED = "superseded"


class Participation(StrEnum):
    """What a party does under the agreement."""

    PROVIDES = "provides"
    RECEIVES = "receives"
    BOTH = "both"


class ConsentModel(StrEnum):
    """On what basis information is shared for a purpose (Principles 5, 6 and 11)."""

    #: only with the person's explicit consent (Principle 5, Procedure A1)
    CONSENT = "consent"
    #: with consent, or on a statutory ground where consent cannot be obtained or would
    #: prejudice the purpose (Principle 6, Procedure A5)
    CONSENT_OR_STATUTORY = "consent-or-statutory"
    #: nothing that identifies a person leaves the provider (Principle 11, Procedure B8)
    ANONYMISED_ONLY = "anonymised-only"


class ReportingFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six-monthly"
    ANNUALLY = "annually"


class Owner(_Part):
    """Who keeps the agreement up to date and arranges its reviews."""

    organisation: Text
    post: Text
    name: Text | None = None


class Party(_Part):
    """An organisation that is party to the agreement, and what it does under it."""

    organisation: Text
    does: Participation
    #: what this party undertakes, in a sentence or two
    responsibilities: Text | None = None

    @property
    def provides(self) -> bool:
        return self.does in (Participation.PROVIDES, Participation.BOTH)

    @property
    def receives(self) -> bool:
        return self.does in (Participation.RECEIVES, Participation.BOTH)


class AgreedPurpose(_Part):
    """A purpose of Section 2.1 the agreement shares for, with its basis."""

    purpose: Text
    consent_model: ConsentModel
    #: ids of the pack's legal grounds this purpose relies on (Section 2.2, Appendix 1)
    legal_grounds: list[Text] = Field(default_factory=list)
    #: why sharing is necessary for this purpose, and why identifiable data are needed
    justification: Text | None = None


class NeedToKnow(_Part):
    """One row of the need-to-know matrix (Appendix 2, Procedure B7).

    Staff in ``role`` at ``organisation`` may receive ``categories``; everything not
    granted by some row is withheld.
    """

    organisation: Text
    role: Text
    #: who in that role, e.g. "hospital social workers planning a care package"
    description: Text | None = None
    categories: list[Text] = Field(min_length=1)
    #: the agreement's purposes this row serves; empty means all of them
    purposes: list[Text] = Field(default_factory=list)


class AgreedTransfer(_Part):
    """A transfer method allowed under the agreement and the safeguards it commits to."""

    method: Text
    #: ids of the pack's safeguards for this method that the parties will apply
    safeguards: list[Text] = Field(default_factory=list)
    notes: Text | None = None


class Retention(_Part):
    """How long a recipient keeps what it receives, and how it disposes of it."""

    months: int = Field(ge=1)
    #: the event the period runs from, e.g. "the end of the episode of care"
    starting: Text
    disposal: Text


class ReportingObligation(_Part):
    """Statistics or reports the agreement promises (Section 4.3, point 3)."""

    report: Text
    #: the organisation that produces it
    by: Text
    #: an organisation code, or a protocol-wide role such as ``steering-group``
    to: Text
    frequency: ReportingFrequency


class Contact(_Part):
    """Someone to contact at a party about the agreement (Procedure A6)."""

    organisation: Text
    role: Text
    name: Text
    post: Text
    telephone: Text | None = None
    email: Text | None = None


class Signatory(_Part):
    """Who signs for a party; ``signed_at`` is empty until they have signed."""

    organisation: Text
    name: Text
    post: Text
    signed_at: date | None = None


class VersionEntry(_Part):
    """One version of the agreement: an amendment is a new version, and old ones stay."""

    version: int = Field(ge=1)
    dated: date
    summary: Text


class InformationSharingAgreement(_Part):
    """An Information Sharing Agreement (Section 1.1, Section 3.1, Appendix 3)."""

    reference: Text
    version: int = Field(default=1, ge=1)
    title: Text
    service_area: Text
    #: the id of the protocol pack the agreement is made under, e.g. ``leeds-2002``
    protocol: Text
    status: IsaStatus = IsaStatus.DRAFT
    owner: Owner
    parties: list[Party] = Field(default_factory=list)
    purposes: list[AgreedPurpose] = Field(default_factory=list)
    data_categories: list[Text] = Field(default_factory=list)
    need_to_know: list[NeedToKnow] = Field(default_factory=list)
    transfer_methods: list[AgreedTransfer] = Field(default_factory=list)
    retention: Retention | None = None
    data_quality: Text | None = None
    security: Text | None = None
    reporting: list[ReportingObligation] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    start_date: date
    #: when the agreement was last reviewed without a new version; the next review date
    #: is counted from it (Section 4.4)
    reviewed_on: date | None = None
    review_date: date
    end_date: date | None = None
    signatories: list[Signatory] = Field(default_factory=list)
    history: list[VersionEntry] = Field(default_factory=list)

    @field_validator("review_date", "end_date")
    @classmethod
    def _after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        # Field validators, not a model validator, so the problem names the field and line.
        start = info.data.get("start_date")
        name = info.field_name or "date"
        if value is not None and start is not None and value <= start:
            raise ValueError(
                f"{name} {value} is not after start_date {start}; "
                f"set a {name.replace('_', ' ')} after the agreement starts"
            )
        return value

    @field_validator("reviewed_on")
    @classmethod
    def _reviewed_within(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise ValueError(
                f"reviewed_on {value} is before start_date {start}; an agreement is reviewed "
                "after it starts"
            )
        return value

    @field_validator("review_date")
    @classmethod
    def _after_last_review(cls, value: date, info: ValidationInfo) -> date:
        reviewed = info.data.get("reviewed_on")
        if reviewed is not None and value <= reviewed:
            raise ValueError(
                f"review_date {value} is not after reviewed_on {reviewed}; set the next "
                "review after the last one"
            )
        return value

    def party(self, organisation: str) -> Party | None:
        return next((p for p in self.parties if p.organisation == organisation), None)

    @property
    def party_codes(self) -> list[str]:
        return [p.organisation for p in self.parties]

    def signatories_for(self, organisation: str) -> list[Signatory]:
        return [s for s in self.signatories if s.organisation == organisation]

    def has_signed(self, organisation: str) -> bool:
        return any(s.signed_at is not None for s in self.signatories_for(organisation))

    @property
    def unsigned_parties(self) -> list[str]:
        """Parties with no signatory who has signed, in the agreement's order."""
        return [code for code in self.party_codes if not self.has_signed(code)]

    @property
    def anonymised_only(self) -> bool:
        """Whether every purpose shares anonymised information only (Principle 11)."""
        return bool(self.purposes) and all(
            p.consent_model is ConsentModel.ANONYMISED_ONLY for p in self.purposes
        )
