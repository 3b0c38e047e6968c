"""A disclosure decision as one JSON document: staff, facts and request, checked field by field.

``infoshare decide FILE.json`` reads such a document, the decision test cases
(``tests/cases/decisions``) are such documents with an expected answer, and the REST API
takes the same ``request`` and ``facts`` shapes. Parsing is pure: the caller reads the file
and resolves the agreements it names (files or inline) before calling ``parse_document``.
Every problem is an ``InputError`` naming the field, e.g. ``request.at``; docs/decisions.md
describes the format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from infoshare.domain.agreement import InformationSharingAgreement
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
from infoshare.errors import InfoshareError, InputError
from infoshare.policy.compile import Policy, PolicyOptions, StaffMember, compile_policy
from infoshare.policy.decision import (
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
from infoshare.policy.reasons import Reason
from infoshare.protocol.schema import ProtocolPack

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StaffDoc(_Part):
    id: Text
    organisation: Text
    roles: list[Text] = Field(default_factory=list)
    active: bool = True
    trained_on: date | None = None


class OptionsDoc(_Part):
    training_valid_for_days: int | None = Field(default=3 * 365, ge=1)
    review_due_after_hours: int = Field(default=72, ge=1)


class ExclusionDoc(_Part):
    recipients: list[Text] = Field(default_factory=list)
    purposes: list[Text] = Field(default_factory=list)
    categories: list[Text] = Field(default_factory=list)
    note: str = ""


class ExplainedDoc(_Part):
    purposes: list[Text]
    categories: list[Text]
    recipients: list[Text]


class RepresentativeDoc(_Part):
    name: Text
    relationship: Text
    authority: AuthorityKind
    authority_reference: str | None = None


class ConsentDoc(_Part):
    id: Text
    decision: ConsentDecision = ConsentDecision.GIVEN
    purposes: list[Text]
    categories: list[Text]
    recipients: list[Text] = Field(default_factory=list)
    #: agreement references: "the parties to this agreement"
    isas: list[Text] = Field(default_factory=list)
    obtained_at: datetime
    obtained_by: Text = "unrecorded"
    obtained_by_organisation: Text = "unrecorded"
    method: CollectionMethod = CollectionMethod.VERBAL_RECORDED
    form_version: str | None = None
    decided_by: DecidedBy = DecidedBy.SERVICE_USER
    representative: RepresentativeDoc | None = None
    best_interests_reasons: str | None = None
    #: what the person was told; by default, exactly the scope
    explained: ExplainedDoc | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    exclusions: list[ExclusionDoc] = Field(default_factory=list)
    supersedes: str | None = None
    withdrawn_at: datetime | None = None


class AssessmentDoc(_Part):
    id: Text
    purposes: list[Text]
    categories: list[Text]
    kind: AssessmentKind = AssessmentKind.CAPACITY
    outcome: CapacityOutcome
    assessed_at: datetime
    assessed_by: Text = "unrecorded"
    assessed_by_organisation: Text = "unrecorded"
    reasons: Text


class ObjectionDoc(_Part):
    id: Text
    at: datetime
    recipients: list[Text] = Field(default_factory=list)
    purposes: list[Text] = Field(default_factory=list)
    categories: list[Text] = Field(default_factory=list)
    note: str = ""
    #: when the person lifted it, if they did
    until: datetime | None = None


class RestrictionDoc(_Part):
    id: Text
    categories: list[Text] = Field(min_length=1)
    reason: Text
    recipients: list[Text] = Field(default_factory=list)
    purposes: list[Text] = Field(default_factory=list)
    until: datetime | None = None


class ConfidentialDoc(_Part):
    id: Text
    categories: list[Text] = Field(min_length=1)
    reason: Text
    ground: Text
    requested_by: str = ""


class FactsDoc(_Part):
    subject_id: Text
    date_of_birth: date | None = None
    consents: list[ConsentDoc] = Field(default_factory=list)
    assessments: list[AssessmentDoc] = Field(default_factory=list)
    objections: list[ObjectionDoc] = Field(default_factory=list)
    restrictions: list[RestrictionDoc] = Field(default_factory=list)
    confidential: list[ConfidentialDoc] = Field(default_factory=list)


class BasisDoc(_Part):
    kind: ClaimKind = ClaimKind.CONSENT
    legal_grounds: list[Text] = Field(default_factory=list)
    justification: str = ""
    emergency_reason: str = ""


class ApprovalDoc(_Part):
    officer: Text
    subject_id: Text
    purpose: Text
    legal_grounds: list[Text]
    categories: list[Text]
    at: datetime
    referral_id: str | None = None


class PriorDoc(_Part):
    disclosure_id: Text
    recipient: Text
    purpose: Text
    categories: list[Text]
    isa: str | None = None


class RequestDoc(_Part):
    requester: Text
    provider: Text
    recipient: Text
    subject_id: Text
    purpose: Text
    categories: list[Text] = Field(min_length=1)
    transfer_method: Text
    at: datetime
    basis: BasisDoc = Field(default_factory=BasisDoc)
    isa: str | None = None
    recipient_role: str | None = None
    derived_from: PriorDoc | None = None
    approval: ApprovalDoc | None = None


class DecisionDocument(_Part):
    """The whole document; ``agreements`` are resolved by the caller."""

    pack: Text = "leeds-2002"
    #: file paths (relative to the document), ``example:NAME``, or inline agreements
    agreements: list[str | dict[str, Any]] = Field(default_factory=list)
    adopted_on: dict[str, date] = Field(default_factory=dict)
    options: OptionsDoc = Field(default_factory=OptionsDoc)
    staff: list[StaffDoc] = Field(default_factory=list)
    facts: FactsDoc
    request: RequestDoc
    # test cases carry these; the CLI ignores them
    description: str | None = None
    clause: str | None = None
    policy: str | None = None
    expect: dict[str, Any] | None = None
    kind: Literal["decision"] | None = None


def read_document(data: object) -> DecisionDocument:
    """``data`` (parsed JSON) as a DecisionDocument, or an InputError naming the field."""
    try:
        return DecisionDocument.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise InputError(
            f"{where}: {first['msg'].lower()}; see docs/decisions.md for the format",
            field=where,
        ) from None


def build_policy(
    document: DecisionDocument,
    pack: ProtocolPack,
    agreements: Sequence[InformationSharingAgreement],
) -> Policy:
    options = PolicyOptions(
        training_valid_for=(
            None
            if document.options.training_valid_for_days is None
            else timedelta(days=document.options.training_valid_for_days)
        ),
        review_due_after=timedelta(hours=document.options.review_due_after_hours),
    )
    staff = [
        StaffMember(s.id, s.organisation, frozenset(s.roles), s.active, s.trained_on)
        for s in document.staff
    ]
    return compile_policy(pack, agreements, staff, adopted_on=document.adopted_on, options=options)


def build_facts(doc: FactsDoc) -> SubjectFacts:
    """The subject's facts; InputError naming the field when a record is not valid."""
    try:
        consents = tuple(_consent(doc.subject_id, c) for c in doc.consents)
        assessments = tuple(_assessment(doc.subject_id, a) for a in doc.assessments)
        consent_facts = ConsentFacts(doc.subject_id, doc.date_of_birth, consents, assessments)
    except InfoshareError as error:
        raise InputError(f"facts: {error.message}", field=f"facts.{error.field}") from None
    return SubjectFacts(
        consent=consent_facts,
        objections=tuple(
            Objection(
                o.id,
                o.at,
                frozenset(o.recipients),
                frozenset(o.purposes),
                frozenset(o.categories),
                o.note,
                o.until,
            )
            for o in doc.objections
        ),
        restrictions=tuple(
            Restriction(
                r.id,
                frozenset(r.categories),
                r.reason,
                frozenset(r.recipients),
                frozenset(r.purposes),
                r.until,
            )
            for r in doc.restrictions
        ),
        confidential=tuple(
            ConfidentialItem(c.id, frozenset(c.categories), c.reason, c.ground, c.requested_by)
            for c in doc.confidential
        ),
    )


def build_request(doc: RequestDoc) -> DisclosureRequest:
    return DisclosureRequest(
        requester=doc.requester,
        provider=doc.provider,
        recipient=doc.recipient,
        subject_id=doc.subject_id,
        purpose=doc.purpose,
        data_categories=tuple(doc.categories),
        transfer_method=doc.transfer_method,
        at=doc.at,
        basis=ClaimedBasis(
            kind=doc.basis.kind,
            legal_grounds=tuple(doc.basis.legal_grounds),
            justification=doc.basis.justification,
            emergency_reason=doc.basis.emergency_reason,
        ),
        isa_reference=doc.isa,
        recipient_role=doc.recipient_role,
        derived_from=(
            None
            if doc.derived_from is None
            else PriorDisclosure(
                disclosure_id=doc.derived_from.disclosure_id,
                recipient=doc.derived_from.recipient,
                purpose=doc.derived_from.purpose,
                data_categories=tuple(doc.derived_from.categories),
                isa_reference=doc.derived_from.isa,
            )
        ),
        approval=(
            None
            if doc.approval is None
            else Approval(
                officer_id=doc.approval.officer,
                subject_id=doc.approval.subject_id,
                purpose=doc.approval.purpose,
                legal_grounds=tuple(doc.approval.legal_grounds),
                data_categories=tuple(doc.approval.categories),
                at=doc.approval.at,
                referral_id=doc.approval.referral_id,
            )
        ),
    )


def _consent(subject_id: str, doc: ConsentDoc) -> Consent:
    scope = ConsentScope(
        purposes=frozenset(doc.purposes),
        data_categories=frozenset(doc.categories),
        recipients=frozenset(doc.recipients),
        recipient_isas=frozenset(doc.isas),
    )
    told = doc.explained
    explanation = Explanation(
        purposes=frozenset(told.purposes) if told else scope.purposes,
        data_categories=frozenset(told.categories) if told else scope.data_categories,
        recipients=(
            frozenset(told.recipients) if told else scope.recipients | scope.recipient_isas
        ),
        leaflet_given=True,
    )
    withdrawal = None
    if doc.withdrawn_at is not None:
        withdrawal = Withdrawal(
            at=doc.withdrawn_at,
            method=CollectionMethod.VERBAL_RECORDED,
            recorded_by=doc.obtained_by,
            recorded_by_organisation=doc.obtained_by_organisation,
        )
    return Consent(
        id=doc.id,
        subject_id=subject_id,
        decision=doc.decision,
        scope=scope,
        decided_by=doc.decided_by,
        obtained_by=doc.obtained_by,
        obtained_by_organisation=doc.obtained_by_organisation,
        obtained_at=doc.obtained_at,
        method=doc.method,
        explanation=explanation,
        representative=(
            None
            if doc.representative is None
            else Representative(
                doc.representative.name,
                doc.representative.relationship,
                doc.representative.authority,
                doc.representative.authority_reference,
            )
        ),
        form_version=doc.form_version,
        valid_from=doc.valid_from,
        valid_until=doc.valid_until,
        exclusions=tuple(
            Exclusion(
                frozenset(e.recipients), frozenset(e.categories), frozenset(e.purposes), e.note
            )
            for e in doc.exclusions
        ),
        best_interests_reasons=doc.best_interests_reasons,
        supersedes=doc.supersedes,
        withdrawal=withdrawal,
    )


def _assessment(subject_id: str, doc: AssessmentDoc) -> CapacityAssessment:
    return CapacityAssessment(
        id=doc.id,
        subject_id=subject_id,
        decision=AssessedDecision(frozenset(doc.purposes), frozenset(doc.categories)),
        kind=doc.kind,
        outcome=doc.outcome,
        assessed_by=doc.assessed_by,
        assessed_by_organisation=doc.assessed_by_organisation,
        assessed_at=doc.assessed_at,
        reasons=doc.reasons,
    )


def merged(base: Mapping[str, Any], case: Mapping[str, Any]) -> dict[str, Any]:
    """``case`` on top of a shared policy document ``base``: lists of agreements and staff
    are joined, everything else in ``case`` wins."""
    out = dict(base)
    for key, value in case.items():
        if key in ("agreements", "staff") and key in out:
            out[key] = [*out[key], *value]
        elif key == "adopted_on" and key in out:
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def decision_as_json(decision: Decision) -> dict[str, Any]:
    """``decision`` as plain JSON data, as the CLI prints it and the API will return it."""
    return {
        "outcome": decision.outcome.value,
        "permitted": list(decision.permitted),
        "referred": list(decision.referred),
        "withheld": [
            {"category": w.category, "reasons": [_reason_json(r) for r in w.reasons]}
            for w in decision.withheld
        ],
        "isa": decision.isa_reference,
        "basis": {
            "kind": decision.basis.kind.value,
            "consents": list(decision.basis.consent_ids),
            "legal_grounds": list(decision.basis.legal_grounds),
            "justification": decision.basis.justification,
            "approval_required": decision.basis.approval_required,
            "approved_by": decision.basis.approved_by,
            "emergency_reason": decision.basis.emergency_reason,
        },
        "conditions": [
            {
                "kind": c.kind.value,
                "clause": c.clause,
                "text": c.text,
                "refs": list(c.refs),
                "due_at": None if c.due_at is None else c.due_at.isoformat(),
                "organisation": c.organisation,
            }
            for c in decision.conditions
        ],
        "reasons": [_reason_json(r) for r in decision.reasons],
    }


def _reason_json(found: Reason) -> dict[str, Any]:
    return {
        "code": found.code.value,
        "clause": found.clause,
        "message": found.message,
        "refs": list(found.refs),
    }
