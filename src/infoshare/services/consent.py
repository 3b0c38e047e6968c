"""Consent records: record, refuse, withdraw, list, check and receipt (Procedures A1, A3, A4).

The shell around the consent core (``infoshare.domain.consent``, ``infoshare.policy.consent``,
``infoshare.policy.receipt``): every rule is the core's; this module checks what only the
database knows (the service user is registered; purposes, data categories and organisations
exist in the protocol's catalogue; a superseded consent is the same person's), turns drafts
into core records, stores them and reads them back. Each public function is one unit of
work, and validates all its input before it writes anything.

Principle 5 (informed consent, refusal raises the bar), Procedure A1 (what was explained,
exclusions), A3 (recording, withdrawal, supersession), A4 (the coverage check), and the
consent receipt (ISO/IEC TS 27560's structure). Principle 6: each consent given or refused
and each withdrawal is appended to the ledger in the same transaction as its record
(``services/consent_ledger.py`` builds the entries).

Access control (Procedure B1: only staff of a party record consent on its behalf, and reads
of personal data are logged) is not applied here yet: the accounts work lands separately.
The seam is the caller: each function will take the signed-in staff member and check and
log through ``services/access_log`` once it exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.domain.capacity import (
    AssessedDecision,
    AssessmentKind,
    CapacityAssessment,
    CapacityOutcome,
)
from infoshare.domain.consent import (
    AuthorityKind,
    CollectionMethod,
    Consent,
    ConsentDecision,
    ConsentFacts,
    ConsentScope,
    DecidedBy,
    Exclusion,
    Explanation,
    Representative,
    Withdrawal,
)
from infoshare.domain.identifiers import parse_nhs_number
from infoshare.errors import (
    AlreadyWithdrawnError,
    InputError,
    MissingAuthorityError,
    NotFoundError,
    UnknownReferenceError,
)
from infoshare.policy.consent import (
    ConsentCoverage,
    ConsentQuery,
    ConsentStatus,
    IsaContext,
    check_consent,
    status_at,
)
from infoshare.policy.receipt import ReceiptContext, consent_receipt
from infoshare.services import ledger
from infoshare.services.access_log import Requester
from infoshare.services.clock import now_or
from infoshare.services.consent_access import (
    check_reading,
    check_recording,
    opened,
    person_to_read,
)
from infoshare.services.consent_facts import load_facts
from infoshare.services.consent_ledger import actor_of, consent_event, withdrawal_event
from infoshare.store.models import (
    CapacityAssessmentRecord,
    ConsentRecord,
    ConsentTermRecord,
    ConsentWithdrawalRecord,
    DataCategoryRecord,
    LegalGroundRecord,
    OrganisationRecord,
    ProtocolPackRecord,
    PurposeRecord,
    ServiceUserRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

_STRICT = ConfigDict(extra="forbid", frozen=True)


class ExclusionDraft(BaseModel):
    """A limit the person set: never these recipients, categories or purposes (Procedure A1)."""

    model_config = _STRICT

    recipients: list[str] = Field(default=[], description="organisation codes, e.g. `WYP`")
    data_categories: list[str] = Field(default=[], description="e.g. `mental-health`")
    purposes: list[str] = Field(default=[], description="e.g. `crime`")
    note: str = Field(default="", description="the person's words, as recorded")


class ConsentDraft(BaseModel):
    """A consent (or refusal) as a caller gives it: Appendix 4's form, field for field.

    The REST body, the web form, the CSV import and the FHIR import all become this, so they
    accept and refuse the same things. Codes are the pack's ids; moments carry a time zone.
    """

    model_config = _STRICT

    nhs_number: str = Field(description="the service user's NHS number (ten digits)")
    decision: ConsentDecision = Field(description="`given` or `refused`")
    decided_by: DecidedBy = Field(
        default=DecidedBy.SERVICE_USER,
        description="`service-user`, `representative` or `best-interests` (Procedure A2)",
    )
    representative_name: str | None = None
    representative_relationship: str | None = Field(default=None, description="e.g. `mother`")
    representative_authority: AuthorityKind | None = None
    representative_authority_reference: str | None = Field(
        default=None, description="the LPA registration or court order number"
    )
    best_interests_reasons: str | None = Field(
        default=None, description="why, and who was consulted (best-interests decisions)"
    )
    obtained_by: str = Field(description="the staff member who obtained it")
    obtained_by_organisation: str = Field(description="their organisation's code, e.g. `LTHT`")
    obtained_at: datetime
    method: CollectionMethod = Field(description="`signed-form`, `verbal-recorded`, `electronic`")
    form_version: str | None = Field(default=None, description="the consent form's version")
    explained_purposes: list[str] = Field(description="purposes explained to the person")
    explained_data_categories: list[str] = Field(description="information explained")
    explained_recipients: list[str] = Field(
        description="recipients explained: organisation codes or agreement references"
    )
    leaflet_given: bool = Field(description="whether the information leaflet was given")
    leaflet_version: str | None = None
    purposes: list[str] = Field(description="purposes the decision is about (section 2.1)")
    data_categories: list[str] = Field(description="kinds of information it is about")
    recipients: list[str] = Field(default=[], description="recipient organisation codes")
    recipient_agreements: list[str] = Field(
        default=[], description='agreement references, meaning "the parties to ISA X"'
    )
    exclusions: list[ExclusionDraft] = []
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    review_date: date | None = None
    supersedes: uuid.UUID | None = Field(
        default=None, description="the id of the earlier consent this one replaces"
    )


class WithdrawalDraft(BaseModel):
    """A withdrawal as a caller gives it (Principle 5, Procedure A3)."""

    model_config = _STRICT

    at: datetime = Field(description="when the person withdrew; applies from then on")
    method: CollectionMethod
    recorded_by: str
    recorded_by_organisation: str
    withdrawn_by: DecidedBy = DecidedBy.SERVICE_USER
    representative_name: str | None = None
    representative_relationship: str | None = None
    representative_authority: AuthorityKind | None = None
    representative_authority_reference: str | None = None
    reason: str | None = None


class WithdrawalView(WithdrawalDraft):
    recorded_at: datetime


class ConsentView(ConsentDraft):
    """A stored consent: the draft as recorded, its withdrawal, and where it stands now."""

    id: uuid.UUID
    #: the pseudonymous reference the core and receipts use (the service user's id)
    subject_id: str
    recorded_at: datetime
    withdrawal: WithdrawalView | None
    status: ConsentStatus = Field(description="where the consent stands at the time of asking")
    superseded_by: list[uuid.UUID]

    def draft(self) -> ConsentDraft:
        """The draft this record was made from."""
        return ConsentDraft.model_validate(self.model_dump(include=set(ConsentDraft.model_fields)))


class CapacityDraft(BaseModel):
    """A capacity (or, for a child, competence) assessment as a caller gives it (A2)."""

    model_config = _STRICT

    nhs_number: str
    purposes: list[str] = Field(description="the decision assessed: these purposes …")
    data_categories: list[str] = Field(description="… and these kinds of information")
    kind: AssessmentKind = Field(description="`capacity`, or `competence` for under-16s")
    outcome: CapacityOutcome
    assessed_by: str
    assessed_by_organisation: str
    assessed_at: datetime
    reasons: str
    review_date: date | None = None
    support_given: list[str] = []


class CapacityView(CapacityDraft):
    id: uuid.UUID
    recorded_at: datetime


class SubjectConsents(BaseModel):
    """A service user's whole consent history: every record, oldest first, and assessments."""

    nhs_number: str
    subject_id: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    consents: list[ConsentView]
    assessments: list[CapacityView]


# --- reading stored records into the core's terms ---------------------------------------------


@dataclass(frozen=True)
class _Names:
    """Organisation codes by id and back: terms store ids, the core speaks codes."""

    code_of: dict[uuid.UUID, str]

    @classmethod
    def load(cls, session: Session) -> _Names:
        rows = session.execute(select(OrganisationRecord.id, OrganisationRecord.code))
        return cls({organisation_id: code for organisation_id, code in rows})

    def id_of(self, code: str) -> uuid.UUID | None:
        for organisation_id, known in self.code_of.items():
            if known == code:
                return organisation_id
        return None


def _term_name(term: ConsentTermRecord, names: _Names) -> str:
    if term.organisation_id is not None:
        return names.code_of[term.organisation_id]
    value = term.purpose_id or term.data_category_id or term.agreement_reference
    assert value is not None
    return value


def _terms_of(record: ConsentRecord, names: _Names, part: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {
        "purposes": [],
        "data_categories": [],
        "recipients": [],
        "agreements": [],
    }
    for term in record.terms:
        if term.part != part:
            continue
        found[_kind(term)].append(_term_name(term, names))
    return found


def _kind(term: ConsentTermRecord) -> str:
    if term.purpose_id is not None:
        return "purposes"
    if term.data_category_id is not None:
        return "data_categories"
    if term.organisation_id is not None:
        return "recipients"
    return "agreements"


def _exclusions_of(record: ConsentRecord, names: _Names) -> list[ExclusionDraft]:
    grouped: dict[int, list[ConsentTermRecord]] = {}
    for term in record.terms:
        if term.part == "exclusion" and term.exclusion is not None:
            grouped.setdefault(term.exclusion, []).append(term)
    drafts = []
    for number in sorted(grouped):
        terms = grouped[number]
        values: dict[str, list[str]] = {"purposes": [], "data_categories": [], "recipients": []}
        for term in terms:
            values[_kind(term)].append(_term_name(term, names))
        drafts.append(ExclusionDraft(**values, note=terms[0].exclusion_note or ""))
    return drafts


def _representative(
    name: str | None,
    relationship: str | None,
    authority: str | None,
    reference: str | None,
    *,
    field: str,
) -> Representative | None:
    if name is None and relationship is None and authority is None and reference is None:
        return None
    if authority is None:
        raise MissingAuthorityError(
            f"the representative `{name or ''}` has no authority recorded; give "
            "`parental-responsibility`, `lpa-health-and-welfare`, `lpa-property-and-financial`, "
            "`court-appointed-deputy` or `other`",
            field=f"{field}_authority",
        )
    return Representative(
        name=name or "",
        relationship=relationship or "",
        authority=AuthorityKind(authority),
        authority_reference=reference,
    )


def _withdrawal_view(record: ConsentWithdrawalRecord, names: _Names) -> WithdrawalView:
    return WithdrawalView(
        at=record.at,
        method=CollectionMethod(record.method),
        recorded_by=record.recorded_by,
        recorded_by_organisation=names.code_of[record.recorded_by_organisation_id],
        withdrawn_by=DecidedBy(record.withdrawn_by),
        representative_name=record.representative_name,
        representative_relationship=record.representative_relationship,
        representative_authority=_authority(record.representative_authority),
        representative_authority_reference=record.representative_authority_reference,
        reason=record.reason,
        recorded_at=record.recorded_at,
    )


def _authority(value: str | None) -> AuthorityKind | None:
    return None if value is None else AuthorityKind(value)


def _draft_of(record: ConsentRecord, nhs_number: str, names: _Names) -> dict[str, Any]:
    scope = _terms_of(record, names, "scope")
    explained = _terms_of(record, names, "explained")
    return {
        "nhs_number": nhs_number,
        "decision": ConsentDecision(record.decision),
        "decided_by": DecidedBy(record.decided_by),
        "representative_name": record.representative_name,
        "representative_relationship": record.representative_relationship,
        "representative_authority": _authority(record.representative_authority),
        "representative_authority_reference": record.representative_authority_reference,
        "best_interests_reasons": record.best_interests_reasons,
        "obtained_by": record.obtained_by,
        "obtained_by_organisation": names.code_of[record.obtained_by_organisation_id],
        "obtained_at": record.obtained_at,
        "method": CollectionMethod(record.method),
        "form_version": record.form_version,
        "explained_purposes": explained["purposes"],
        "explained_data_categories": explained["data_categories"],
        "explained_recipients": explained["recipients"] + explained["agreements"],
        "leaflet_given": record.leaflet_given,
        "leaflet_version": record.leaflet_version,
        "purposes": scope["purposes"],
        "data_categories": scope["data_categories"],
        "recipients": scope["recipients"],
        "recipient_agreements": scope["agreements"],
        "exclusions": _exclusions_of(record, names),
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "review_date": record.review_date,
        "supersedes": record.supersedes_id,
    }


def consent_of(
    draft: ConsentDraft,
    *,
    consent_id: uuid.UUID,
    subject_id: str,
    withdrawal: WithdrawalDraft | None = None,
) -> Consent:
    """The core's record for ``draft``; the core's own checks raise on a contradiction."""
    representative = _representative(
        draft.representative_name,
        draft.representative_relationship,
        draft.representative_authority,
        draft.representative_authority_reference,
        field="representative",
    )
    return Consent(
        id=str(consent_id),
        subject_id=subject_id,
        decision=draft.decision,
        scope=ConsentScope(
            purposes=frozenset(draft.purposes),
            data_categories=frozenset(draft.data_categories),
            recipients=frozenset(draft.recipients),
            recipient_isas=frozenset(draft.recipient_agreements),
        ),
        decided_by=draft.decided_by,
        obtained_by=draft.obtained_by,
        obtained_by_organisation=draft.obtained_by_organisation,
        obtained_at=draft.obtained_at,
        method=draft.method,
        explanation=Explanation(
            purposes=frozenset(draft.explained_purposes),
            data_categories=frozenset(draft.explained_data_categories),
            recipients=frozenset(draft.explained_recipients),
            leaflet_given=draft.leaflet_given,
            leaflet_version=draft.leaflet_version,
        ),
        representative=representative,
        form_version=draft.form_version,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        review_date=draft.review_date,
        exclusions=tuple(
            Exclusion(
                recipients=frozenset(e.recipients),
                data_categories=frozenset(e.data_categories),
                purposes=frozenset(e.purposes),
                note=e.note,
            )
            for e in draft.exclusions
        ),
        best_interests_reasons=draft.best_interests_reasons,
        supersedes=None if draft.supersedes is None else str(draft.supersedes),
        withdrawal=None if withdrawal is None else withdrawal_of(withdrawal),
    )


def withdrawal_of(draft: WithdrawalDraft) -> Withdrawal:
    """The core's withdrawal for ``draft``."""
    return Withdrawal(
        at=draft.at,
        method=draft.method,
        recorded_by=draft.recorded_by,
        recorded_by_organisation=draft.recorded_by_organisation,
        by=draft.withdrawn_by,
        representative=_representative(
            draft.representative_name,
            draft.representative_relationship,
            draft.representative_authority,
            draft.representative_authority_reference,
            field="representative",
        ),
        reason=draft.reason,
    )


def assessment_of(record: CapacityAssessmentRecord, names: _Names) -> CapacityAssessment:
    purposes = [t.purpose_id for t in record.terms if t.purpose_id is not None]
    categories = [t.data_category_id for t in record.terms if t.data_category_id is not None]
    return CapacityAssessment(
        id=str(record.id),
        subject_id=str(record.service_user_id),
        decision=AssessedDecision(frozenset(purposes), frozenset(categories)),
        kind=AssessmentKind(record.kind),
        outcome=CapacityOutcome(record.outcome),
        assessed_by=record.assessed_by,
        assessed_by_organisation=names.code_of[record.assessed_by_organisation_id],
        assessed_at=record.assessed_at,
        reasons=record.reasons,
        review_date=record.review_date,
        support_given=tuple(record.support_given),
    )


def capacity_view(record: CapacityAssessmentRecord, nhs_number: str, names: _Names) -> CapacityView:
    return CapacityView(
        id=record.id,
        nhs_number=nhs_number,
        purposes=[t.purpose_id for t in record.terms if t.purpose_id is not None],
        data_categories=[t.data_category_id for t in record.terms if t.data_category_id],
        kind=AssessmentKind(record.kind),
        outcome=CapacityOutcome(record.outcome),
        assessed_by=record.assessed_by,
        assessed_by_organisation=names.code_of[record.assessed_by_organisation_id],
        assessed_at=record.assessed_at,
        reasons=record.reasons,
        review_date=record.review_date,
        support_given=list(record.support_given),
        recorded_at=record.recorded_at,
    )


@dataclass(frozen=True)
class _Subject:
    """One service user's stored records, read in the queries the history needs."""

    person: ServiceUserRecord
    consents: list[ConsentRecord]
    assessments: list[CapacityAssessmentRecord]
    names: _Names

    @classmethod
    def load(cls, session: Session, person: ServiceUserRecord) -> _Subject:
        # Each query is by the indexed service_user_id (terms and withdrawals by the indexed
        # consent_id, loaded in one IN query each), so a history costs a fixed few queries.
        consents = list(
            session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.service_user_id == person.id)
                .order_by(ConsentRecord.obtained_at, ConsentRecord.id)
            )
        )
        assessments = list(
            session.scalars(
                select(CapacityAssessmentRecord)
                .where(CapacityAssessmentRecord.service_user_id == person.id)
                .order_by(CapacityAssessmentRecord.assessed_at, CapacityAssessmentRecord.id)
            )
        )
        return cls(person, consents, assessments, _Names.load(session))

    @property
    def subject_id(self) -> str:
        return str(self.person.id)

    def core_consent(self, record: ConsentRecord) -> Consent:
        draft = ConsentDraft.model_validate(_draft_of(record, self.person.nhs_number, self.names))
        withdrawal = (
            None
            if record.withdrawal is None
            else WithdrawalDraft.model_validate(
                _withdrawal_view(record.withdrawal, self.names).model_dump(exclude={"recorded_at"})
            )
        )
        return consent_of(
            draft, consent_id=record.id, subject_id=self.subject_id, withdrawal=withdrawal
        )

    def facts(self) -> ConsentFacts:
        return ConsentFacts(
            subject_id=self.subject_id,
            date_of_birth=self.person.date_of_birth,
            consents=tuple(self.core_consent(r) for r in self.consents),
            assessments=tuple(assessment_of(a, self.names) for a in self.assessments),
        )

    def view(self, record: ConsentRecord, facts: ConsentFacts, at: datetime) -> ConsentView:
        core = next(c for c in facts.consents if c.id == str(record.id))
        return ConsentView(
            **_draft_of(record, self.person.nhs_number, self.names),
            id=record.id,
            subject_id=self.subject_id,
            recorded_at=record.recorded_at,
            withdrawal=(
                None
                if record.withdrawal is None
                else _withdrawal_view(record.withdrawal, self.names)
            ),
            status=status_at(core, facts, at),
            superseded_by=[r.id for r in self.consents if r.supersedes_id == record.id],
        )

    def history(self, at: datetime) -> SubjectConsents:
        facts = self.facts()
        return SubjectConsents(
            nhs_number=self.person.nhs_number,
            subject_id=self.subject_id,
            given_name=self.person.given_name,
            family_name=self.person.family_name,
            date_of_birth=self.person.date_of_birth,
            consents=[self.view(r, facts, at) for r in self.consents],
            assessments=[
                capacity_view(a, self.person.nhs_number, self.names) for a in self.assessments
            ],
        )


def person_by_nhs_number(
    session: Session, nhs_number: str, *, missing: type[InputError] | type[NotFoundError]
) -> ServiceUserRecord:
    number = parse_nhs_number(nhs_number)
    person = session.scalars(
        select(ServiceUserRecord).where(ServiceUserRecord.nhs_number == number)
    ).one_or_none()
    if person is None:
        raise missing(
            f"no service user with NHS number `{number}` is registered; register them first",
            field="nhs_number",
        )
    return person


# --- checking references against the catalogue -------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The ids a consent may name: the loaded pack's purposes and categories, and organisations."""

    purposes: frozenset[str]
    data_categories: frozenset[str]
    names: _Names

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        return cls(
            frozenset(session.scalars(select(PurposeRecord.id))),
            frozenset(session.scalars(select(DataCategoryRecord.id))),
            _Names.load(session),
        )

    def check(self, values: Iterable[str], *, kind: str, field: str) -> None:
        known = {
            "purpose": self.purposes,
            "data category": self.data_categories,
            "organisation": frozenset(self.names.code_of.values()),
        }[kind]
        for value in values:
            if value not in known:
                listing = (
                    "`infoshare pack show` lists them"
                    if kind != "organisation"
                    else ("`infoshare organisations list` shows the codes")
                )
                raise UnknownReferenceError(
                    f"there is no {kind} `{value}` in the protocol; {listing}", field=field
                )

    def organisation_id(self, code: str, *, field: str) -> uuid.UUID:
        self.check([code], kind="organisation", field=field)
        found = self.names.id_of(code)
        assert found is not None
        return found

    def check_consent(self, draft: ConsentDraft) -> None:
        """UnknownReferenceError naming the field of the first name the protocol lacks."""
        self.check(draft.purposes, kind="purpose", field="purposes")
        self.check(draft.data_categories, kind="data category", field="data_categories")
        self.check(draft.recipients, kind="organisation", field="recipients")
        self.check([draft.obtained_by_organisation], kind="organisation",
                   field="obtained_by_organisation")  # fmt: skip
        self.check(draft.explained_purposes, kind="purpose", field="explained_purposes")
        self.check(
            draft.explained_data_categories,
            kind="data category",
            field="explained_data_categories",
        )
        agreements = set(draft.recipient_agreements)
        self.check(
            [r for r in draft.explained_recipients if r not in agreements],
            kind="organisation",
            field="explained_recipients",
        )
        for index, exclusion in enumerate(draft.exclusions):
            where = f"exclusions.{index}"
            self.check(exclusion.purposes, kind="purpose", field=f"{where}.purposes")
            self.check(
                exclusion.data_categories, kind="data category", field=f"{where}.data_categories"
            )
            self.check(exclusion.recipients, kind="organisation", field=f"{where}.recipients")


# --- writing ----------------------------------------------------------------------------------


def _term_rows(draft: ConsentDraft, catalogue: Catalogue) -> list[ConsentTermRecord]:
    rows: list[ConsentTermRecord] = []

    def add(part: str, kind: str, value: str, **extra: Any) -> None:
        columns: dict[str, Any] = {}
        if kind == "purpose":
            columns["purpose_id"] = value
        elif kind == "category":
            columns["data_category_id"] = value
        elif kind == "organisation":
            columns["organisation_id"] = catalogue.names.id_of(value)
        else:
            columns["agreement_reference"] = value
        rows.append(ConsentTermRecord(position=len(rows), part=part, **columns, **extra))

    agreements = set(draft.recipient_agreements)
    for value in dict.fromkeys(draft.purposes):
        add("scope", "purpose", value)
    for value in dict.fromkeys(draft.data_categories):
        add("scope", "category", value)
    for value in dict.fromkeys(draft.recipients):
        add("scope", "organisation", value)
    for value in dict.fromkeys(draft.recipient_agreements):
        add("scope", "agreement", value)
    for value in dict.fromkeys(draft.explained_purposes):
        add("explained", "purpose", value)
    for value in dict.fromkeys(draft.explained_data_categories):
        add("explained", "category", value)
    for value in dict.fromkeys(draft.explained_recipients):
        add("explained", "agreement" if value in agreements else "organisation", value)
    for number, exclusion in enumerate(draft.exclusions):
        note = {"exclusion": number, "exclusion_note": exclusion.note}
        for value in dict.fromkeys(exclusion.purposes):
            add("exclusion", "purpose", value, **note)
        for value in dict.fromkeys(exclusion.data_categories):
            add("exclusion", "category", value, **note)
        for value in dict.fromkeys(exclusion.recipients):
            add("exclusion", "organisation", value, **note)
    return rows


def _check_supersedes(session: Session, draft: ConsentDraft, person: ServiceUserRecord) -> None:
    if draft.supersedes is None:
        return
    earlier = session.get(ConsentRecord, draft.supersedes)
    if earlier is None or earlier.service_user_id != person.id:
        raise UnknownReferenceError(
            f"there is no consent `{draft.supersedes}` for this service user to supersede; "
            "give the id of one of their earlier consents",
            field="supersedes",
        )


def prepare_consent(
    session: Session,
    draft: ConsentDraft,
    *,
    catalogue: Catalogue,
    now: datetime,
    consent_id: uuid.UUID | None = None,
    withdrawal: WithdrawalDraft | None = None,
) -> ConsentRecord:
    """Check ``draft`` (and a withdrawal recorded with it, as an import may carry) completely
    and return the row to add; raises before anything is added."""
    person = person_by_nhs_number(session, draft.nhs_number, missing=UnknownReferenceError)
    catalogue.check_consent(draft)
    new_id = consent_id or uuid.uuid4()
    consent = consent_of(draft, consent_id=new_id, subject_id=str(person.id), withdrawal=withdrawal)
    consent.check_recorded(now)
    withdrawal_record = (
        None if withdrawal is None else _withdrawal_record(withdrawal, catalogue, now)
    )
    if person.date_of_birth is not None:
        ConsentFacts(str(person.id), person.date_of_birth, (consent,))
    _check_supersedes(session, draft, person)
    return ConsentRecord(
        id=new_id,
        service_user_id=person.id,
        decision=str(draft.decision),
        decided_by=str(draft.decided_by),
        representative_name=draft.representative_name,
        representative_relationship=draft.representative_relationship,
        representative_authority=draft.representative_authority,
        representative_authority_reference=draft.representative_authority_reference,
        best_interests_reasons=draft.best_interests_reasons,
        obtained_by=draft.obtained_by,
        obtained_by_organisation_id=catalogue.organisation_id(
            draft.obtained_by_organisation, field="obtained_by_organisation"
        ),
        obtained_at=consent.obtained_at,
        method=str(draft.method),
        form_version=draft.form_version,
        leaflet_given=draft.leaflet_given,
        leaflet_version=draft.leaflet_version,
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        review_date=draft.review_date,
        supersedes_id=draft.supersedes,
        recorded_at=now,
        terms=_term_rows(draft, catalogue),
        withdrawal=withdrawal_record,
    )


def _withdrawal_record(
    draft: WithdrawalDraft, catalogue: Catalogue, now: datetime
) -> ConsentWithdrawalRecord:
    organisation_id = catalogue.organisation_id(
        draft.recorded_by_organisation, field="recorded_by_organisation"
    )
    return ConsentWithdrawalRecord(
        at=draft.at,
        method=str(draft.method),
        withdrawn_by=str(draft.withdrawn_by),
        representative_name=draft.representative_name,
        representative_relationship=draft.representative_relationship,
        representative_authority=draft.representative_authority,
        representative_authority_reference=draft.representative_authority_reference,
        reason=draft.reason,
        recorded_by=draft.recorded_by,
        recorded_by_organisation_id=organisation_id,
        recorded_at=now,
    )


def record_consent(
    uow: UnitOfWork,
    draft: ConsentDraft,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> ConsentView:
    """Record a consent given or refused (Procedure A3). Nothing is stored if any check fails:
    an invalid or unregistered NHS number, an unknown purpose, category or organisation
    (UnknownReferenceError naming the field), a moment in the future, a period ending before
    it starts, a representative without authority, or anything the core refuses. A
    ``requester`` records only for their own party (``consent:record``; refusals logged)."""
    moment = now_or(now)
    with uow:
        session = uow.session
        record = prepare_consent(session, draft, catalogue=Catalogue.load(session), now=moment)
        check_recording(uow, requester, draft.obtained_by_organisation, what="consent",
                        at=moment)  # fmt: skip
        event = consent_event(
            record,
            organisation=draft.obtained_by_organisation,
            actor=actor_of(requester),
            at=moment,
        )
        session.add(record)
        uow.flush()
        ledger.record(uow, event)  # in this transaction: the consent and its entry, or neither
        view = _one_view(session, record, moment)
        uow.commit()
    return view


def record_refusal(
    uow: UnitOfWork,
    draft: ConsentDraft,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> ConsentView:
    """Record a refusal: a record too, which raises the bar for sharing (Principle 5, A5)."""
    if draft.decision is not ConsentDecision.REFUSED:
        draft = draft.model_copy(update={"decision": ConsentDecision.REFUSED})
    return record_consent(uow, draft, requester=requester, now=now)


def _one_view(session: Session, record: ConsentRecord, at: datetime) -> ConsentView:
    """One record's view; its status needs the person's other records (supersession), which
    are read as facts, not as ORM objects."""
    person = session.get_one(ServiceUserRecord, record.service_user_id)
    names = _Names.load(session)
    newer = session.scalars(
        select(ConsentRecord).where(ConsentRecord.supersedes_id == record.id)
    ).all()
    subject = _Subject(person, [record, *newer], [], names)
    facts = load_facts(session, person.id, person.date_of_birth, names.code_of)
    return subject.view(record, facts, at)


def _stored(session: Session, consent_id: uuid.UUID) -> ConsentRecord:
    record = session.get(ConsentRecord, consent_id)
    if record is None:
        raise NotFoundError(
            f"there is no consent `{consent_id}`; list the service user's consents to find it",
            field="consent_id",
        )
    return record


def withdraw_consent(
    uow: UnitOfWork,
    consent_id: uuid.UUID,
    draft: WithdrawalDraft,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
    recorded_as: str | None = None,
) -> ConsentView:
    """Record that a consent was withdrawn; it applies from ``draft.at`` on, never before.

    A second withdrawal is an AlreadyWithdrawnError; a refusal, a withdrawal before the
    consent or after now, or an unknown organisation are refused too, and nothing is stored.
    ``recorded_as`` names who the ledger entry says recorded it when the trusted caller
    records for someone else (the portal: the service user themselves).
    """
    moment = now_or(now)
    with uow:
        session = uow.session
        record = _stored(session, consent_id)
        # Withdrawing can only narrow sharing, but the answer shows the record: the requester
        # must be able to read the person's consent records, checked before anything else is
        # said about this one.
        check_reading(uow, requester, record.service_user_id, why="withdrew a consent", at=moment)
        catalogue = Catalogue.load(session)
        withdrawal = _withdrawal_record(draft, catalogue, moment)
        person = session.get_one(ServiceUserRecord, record.service_user_id)
        subject = _Subject.load(session, person)
        subject.core_consent(record).withdraw(withdrawal_of(draft), now=moment)
        check_recording(uow, requester, draft.recorded_by_organisation, what="withdrawal",
                        at=moment)  # fmt: skip
        withdrawal.consent_id = record.id
        event = withdrawal_event(
            record,
            withdrawal,
            organisation=draft.recorded_by_organisation,
            actor=recorded_as or actor_of(requester),
            at=moment,
        )
        session.add(withdrawal)
        try:
            uow.flush()
        except IntegrityError as exc:  # withdrawn by another writer since we looked
            raise AlreadyWithdrawnError(
                f"consent `{consent_id}` was withdrawn meanwhile; a withdrawal is recorded once",
                field="withdrawal",
            ) from exc
        ledger.record(uow, event)
        session.expire(record)
        view = _one_view(session, record, moment)
        uow.commit()
    return view


def get_consent(
    uow: UnitOfWork,
    consent_id: uuid.UUID,
    *,
    requester: Requester | None = None,
    why: str = "read a consent record",
    at: datetime | None = None,
) -> ConsentView:
    """One consent as it stands at ``at`` (now by default); NotFoundError if there is none
    (or if the requester may not read the person's records; the attempt is logged)."""
    moment = now_or(at)
    with opened(uow, requester):
        record = _stored(uow.session, consent_id)
        check_reading(uow, requester, record.service_user_id, why=why, at=now_or(None))
        return _one_view(uow.session, record, moment)


def consent_history(
    uow: UnitOfWork,
    nhs_number: str,
    *,
    requester: Requester | None = None,
    why: str = "read the consent history",
    at: datetime | None = None,
) -> SubjectConsents:
    """Every consent record of a service user, oldest first, withdrawals and supersessions
    included, with their capacity assessments. NotFoundError if they are not registered."""
    moment = now_or(at)
    with opened(uow, requester):
        session = uow.session
        person = person_by_nhs_number(session, nhs_number, missing=NotFoundError)
        check_reading(uow, requester, person.id, why=why, at=now_or(None))
        return _Subject.load(session, person).history(moment)


def consent_facts(uow: UnitOfWork, nhs_number: str) -> ConsentFacts:
    """What the consent check knows of a service user, for the decision engine to use."""
    with uow.reading():
        session = uow.session
        person = person_by_nhs_number(session, nhs_number, missing=NotFoundError)
        return load_facts(session, person.id, person.date_of_birth, _Names.load(session).code_of)


class CoverageQuery(BaseModel):
    """What the coverage check is asked: may these categories go there, for that, then?"""

    model_config = _STRICT

    nhs_number: str
    recipient: str = Field(description="the recipient organisation's code")
    purpose: str
    data_categories: list[str] = Field(min_length=1)
    at: datetime | None = Field(default=None, description="the moment asked about; now if empty")
    agreement: str | None = Field(default=None, description="the ISA the request is made under")
    agreement_parties: list[str] = Field(
        default=[], description="that agreement's parties (organisation codes)"
    )


def check_coverage(
    uow: UnitOfWork,
    query: CoverageQuery,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> ConsentCoverage:
    """Procedure A4, read-only: which consent covers which category, and why not the others.
    Nothing is written but the requester's access log entry."""
    moment = query.at or now_or(now)
    with opened(uow, requester):
        session = uow.session
        person = person_by_nhs_number(session, query.nhs_number, missing=NotFoundError)
        check_reading(uow, requester, person.id, why="checked consent (Procedure A4)",
                      at=now_or(now))  # fmt: skip
        catalogue = Catalogue.load(session)
        catalogue.check([query.recipient], kind="organisation", field="recipient")
        catalogue.check([query.purpose], kind="purpose", field="purpose")
        catalogue.check(query.data_categories, kind="data category", field="data_categories")
        catalogue.check(query.agreement_parties, kind="organisation", field="agreement_parties")
        facts = load_facts(session, person.id, person.date_of_birth, catalogue.names.code_of)
    isa = (
        None
        if query.agreement is None
        else IsaContext(query.agreement, frozenset(query.agreement_parties))
    )
    return check_consent(
        facts,
        ConsentQuery(
            recipient=query.recipient,
            purpose=query.purpose,
            data_categories=tuple(query.data_categories),
            at=moment,
            isa=isa,
        ),
    )


HOW_TO_WITHDRAW = (
    "You can withdraw your consent at any time, in writing, by telephone or in person, by "
    "telling the organisation that recorded it. Withdrawal applies from then on."
)


def receipt(
    uow: UnitOfWork,
    consent_id: uuid.UUID,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The service user's consent receipt as it stands now (ISO/IEC TS 27560's structure)."""
    moment = now_or(now)
    with opened(uow, requester):
        session = uow.session
        record = _stored(session, consent_id)
        check_reading(uow, requester, record.service_user_id, why="issued a consent receipt",
                      at=moment)  # fmt: skip
        person = session.get_one(ServiceUserRecord, record.service_user_id)
        subject = _Subject.load(session, person)
        facts = subject.facts()
        consent = next(c for c in facts.consents if c.id == str(consent_id))
        context = _receipt_context(session, subject, moment)
    return consent_receipt(consent, context, facts=facts)


def _receipt_context(session: Session, subject: _Subject, at: datetime) -> ReceiptContext:
    pack = session.scalars(select(ProtocolPackRecord.id)).first() or "unknown"
    categories = list(
        session.execute(
            select(DataCategoryRecord.id, DataCategoryRecord.title, DataCategoryRecord.sensitive)
        )
    )
    consent_grounds = session.scalars(
        select(LegalGroundRecord.citation)
        .where(LegalGroundRecord.effect == "condition")
        .where(LegalGroundRecord.title.ilike("%consent%"))
        .order_by(LegalGroundRecord.citation)
    )
    organisations = session.execute(select(OrganisationRecord.code, OrganisationRecord.name))
    purposes = session.execute(select(PurposeRecord.id, PurposeRecord.title))
    return ReceiptContext(
        receipt_id=str(uuid.uuid4()),
        issued_at=at,
        protocol=pack,
        pii_principal_id=subject.subject_id,
        organisation_names={code: name for code, name in organisations},
        purpose_titles={purpose: title for purpose, title in purposes},
        category_titles={c: title for c, title, _ in categories},
        sensitive_categories=frozenset(c for c, _, sensitive in categories if sensitive),
        legal_basis_citations=tuple(consent_grounds),
        how_to_withdraw=HOW_TO_WITHDRAW,
    )


# --- bulk import --------------------------------------------------------------------------------


#: one row of an import: a draft, or a draft with the withdrawal recorded alongside it
ImportRow = ConsentDraft | tuple[ConsentDraft, WithdrawalDraft | None]


def _organisation_of(row: ImportRow | InputError) -> str | None:
    if isinstance(row, InputError):
        return None
    draft = row[0] if isinstance(row, tuple) else row
    return draft.obtained_by_organisation


@dataclass(frozen=True)
class RowRejection:
    """Why one row of an import was refused: its number, the field, and the message."""

    row: int
    field: str | None
    message: str


def _import_events(
    record: ConsentRecord,
    draft: ConsentDraft,
    withdrawal: WithdrawalDraft | None,
    actor: str,
    at: datetime,
) -> list[ledger.LedgerEvent]:
    events = [
        consent_event(record, organisation=draft.obtained_by_organisation, actor=actor, at=at)
    ]
    if withdrawal is not None and record.withdrawal is not None:
        events.append(
            withdrawal_event(
                record,
                record.withdrawal,
                organisation=withdrawal.recorded_by_organisation,
                actor=actor,
                at=at,
            )
        )
    return events


def import_consents(
    uow: UnitOfWork,
    rows: Sequence[tuple[int, ImportRow | InputError]],
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
    on_row: Callable[[], None] | None = None,
) -> tuple[list[uuid.UUID], list[RowRejection]]:
    """Store every row, or none: returns (ids stored, rejections); rejections: nothing stored.

    ``rows`` pairs each row number with its draft (and a withdrawal, which a FHIR import may
    carry), or with the error reading the row met.
    ``on_row`` (if given) is called after each row is checked, for a progress bar. A
    ``requester`` must be able to record for every organisation the rows name.
    """
    moment = now_or(now)
    rejections: list[RowRejection] = []
    with uow:
        session = uow.session
        catalogue = Catalogue.load(session)
        records = []
        events: list[ledger.LedgerEvent] = []
        actor = actor_of(requester)
        for number, row in rows:
            if isinstance(row, InputError):
                rejections.append(RowRejection(number, row.field, row.message))
            else:
                draft, withdrawal = row if isinstance(row, tuple) else (row, None)
                try:
                    record = prepare_consent(
                        session, draft, catalogue=catalogue, now=moment, withdrawal=withdrawal
                    )
                    events.extend(_import_events(record, draft, withdrawal, actor, moment))
                    records.append(record)
                except InputError as error:
                    rejections.append(RowRejection(number, error.field, error.message))
            if on_row is not None:
                on_row()
        if rejections:
            return [], rejections
        named = {_organisation_of(row) for _, row in rows}
        for organisation in sorted(code for code in named if code is not None):
            check_recording(uow, requester, organisation, what="consent", at=moment)
        session.add_all(records)
        uow.flush()
        # One entry per stored consent (and per withdrawal a row carries), all in this
        # transaction: the import and its entries are stored together or not at all.
        ledger.record_all(uow, events)
        uow.commit()
    return [r.id for r in records], []


__all__ = [
    "CapacityDraft",
    "CapacityView",
    "Catalogue",
    "ConsentDraft",
    "ConsentView",
    "CoverageQuery",
    "ExclusionDraft",
    "ImportRow",
    "RowRejection",
    "SubjectConsents",
    "WithdrawalDraft",
    "WithdrawalView",
    "check_coverage",
    "consent_facts",
    "consent_history",
    "get_consent",
    "import_consents",
    "receipt",
    "record_consent",
    "record_refusal",
    "withdraw_consent",
]


# --- what the consent form offers -------------------------------------------------------------


@dataclass(frozen=True)
class FormOptions:
    """The choices the consent form offers: the protocol's purposes, categories, partners."""

    #: (id, title) pairs, by id
    purposes: tuple[tuple[str, str], ...]
    data_categories: tuple[tuple[str, str], ...]
    #: (code, name) pairs, by code
    organisations: tuple[tuple[str, str], ...]


def form_options(uow: UnitOfWork) -> FormOptions:
    """What the consent form lists for the person to choose from (nothing personal)."""
    with uow.reading():
        session = uow.session
        purposes = session.execute(
            select(PurposeRecord.id, PurposeRecord.title).order_by(PurposeRecord.id)
        )
        categories = session.execute(
            select(DataCategoryRecord.id, DataCategoryRecord.title).order_by(DataCategoryRecord.id)
        )
        organisations = session.execute(
            select(OrganisationRecord.code, OrganisationRecord.name).order_by(
                OrganisationRecord.code
            )
        )
        return FormOptions(
            purposes=tuple((p, t) for p, t in purposes),
            data_categories=tuple((c, t) for c, t in categories),
            organisations=tuple((c, n) for c, n in organisations),
        )


def consent_history_of(
    uow: UnitOfWork,
    service_user_id: uuid.UUID,
    *,
    requester: Requester | None = None,
    why: str = "read the consent history",
    at: datetime | None = None,
) -> SubjectConsents:
    """As ``consent_history``, for the service user with this id (the pages' links)."""
    moment = now_or(at)
    with opened(uow, requester):
        session = uow.session
        person = person_to_read(uow, requester, service_user_id, why=why)
        return _Subject.load(session, person).history(moment)
