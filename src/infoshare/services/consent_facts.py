"""A service user's consent facts read straight from the tables, for the coverage check.

The consent check (Procedure A4) runs on every proposed disclosure, so what it needs is read
in two queries on indexed columns, without building ORM objects: every consent with each of
its terms and its withdrawal (one joined query on ``consents.service_user_id``), and every
capacity assessment with its terms (one on ``capacity_assessments.service_user_id``). The
rows become the core's records directly; the core's own checks run as they are built, so
nothing stored that the core would refuse can slip into a decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from sqlalchemy import Connection, RowMapping, bindparam, select
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
from infoshare.store.models import (
    CapacityAssessmentRecord,
    CapacityAssessmentTermRecord,
    ConsentRecord,
    ConsentTermRecord,
    ConsentWithdrawalRecord,
)

_CONSENT = ConsentRecord.__table__
_TERM = ConsentTermRecord.__table__
_WITHDRAWAL = ConsentWithdrawalRecord.__table__
_ASSESSMENT = CapacityAssessmentRecord.__table__
_ASSESSMENT_TERM = CapacityAssessmentTermRecord.__table__

#: the withdrawal's columns, renamed so they do not collide with the consent's
_WITHDRAWAL_COLUMNS = {
    "w_at": _WITHDRAWAL.c.at,
    "w_method": _WITHDRAWAL.c.method,
    "w_by": _WITHDRAWAL.c.withdrawn_by,
    "w_name": _WITHDRAWAL.c.representative_name,
    "w_relationship": _WITHDRAWAL.c.representative_relationship,
    "w_authority": _WITHDRAWAL.c.representative_authority,
    "w_reference": _WITHDRAWAL.c.representative_authority_reference,
    "w_reason": _WITHDRAWAL.c.reason,
    "w_recorded_by": _WITHDRAWAL.c.recorded_by,
    "w_organisation": _WITHDRAWAL.c.recorded_by_organisation_id,
}


def _representative(
    name: str | None, relationship: str | None, authority: str | None, reference: str | None
) -> Representative | None:
    if authority is None:
        return None
    return Representative(name or "", relationship or "", AuthorityKind(authority), reference)


class _Terms:
    def __init__(self) -> None:
        self.parts: dict[str, dict[str, set[str]]] = {}
        self.exclusions: dict[int, tuple[dict[str, set[str]], str]] = {}

    def add(self, row: RowMapping, codes: Mapping[uuid.UUID, str]) -> None:
        if row["purpose_id"] is not None:
            kind, value = "purposes", row["purpose_id"]
        elif row["data_category_id"] is not None:
            kind, value = "categories", row["data_category_id"]
        elif row["organisation_id"] is not None:
            kind, value = "organisations", codes[row["organisation_id"]]
        else:
            kind, value = "agreements", row["agreement_reference"]
        if row["part"] == "exclusion":
            found, _ = self.exclusions.setdefault(
                row["exclusion"], ({}, row["exclusion_note"] or "")
            )
        else:
            found = self.parts.setdefault(row["part"], {})
        found.setdefault(kind, set()).add(value)

    def of(self, part: str, kind: str) -> frozenset[str]:
        return frozenset(self.parts.get(part, {}).get(kind, ()))


def _consent(first: RowMapping, terms: _Terms, codes: Mapping[uuid.UUID, str]) -> Consent:
    withdrawal = None
    if first["w_at"] is not None:
        withdrawal = Withdrawal(
            at=first["w_at"],
            method=CollectionMethod(first["w_method"]),
            recorded_by=first["w_recorded_by"],
            recorded_by_organisation=codes[first["w_organisation"]],
            by=DecidedBy(first["w_by"]),
            representative=_representative(
                first["w_name"], first["w_relationship"], first["w_authority"],
                first["w_reference"],
            ),
            reason=first["w_reason"],
        )  # fmt: skip
    return Consent(
        id=str(first["id"]),
        subject_id=str(first["service_user_id"]),
        decision=ConsentDecision(first["decision"]),
        scope=ConsentScope(
            purposes=terms.of("scope", "purposes"),
            data_categories=terms.of("scope", "categories"),
            recipients=terms.of("scope", "organisations"),
            recipient_isas=terms.of("scope", "agreements"),
        ),
        decided_by=DecidedBy(first["decided_by"]),
        obtained_by=first["obtained_by"],
        obtained_by_organisation=codes[first["obtained_by_organisation_id"]],
        obtained_at=first["obtained_at"],
        method=CollectionMethod(first["method"]),
        explanation=Explanation(
            purposes=terms.of("explained", "purposes"),
            data_categories=terms.of("explained", "categories"),
            recipients=terms.of("explained", "organisations") | terms.of("explained", "agreements"),
            leaflet_given=first["leaflet_given"],
            leaflet_version=first["leaflet_version"],
        ),
        representative=_representative(
            first["representative_name"],
            first["representative_relationship"],
            first["representative_authority"],
            first["representative_authority_reference"],
        ),
        form_version=first["form_version"],
        valid_from=first["valid_from"],
        valid_until=first["valid_until"],
        review_date=first["review_date"],
        exclusions=tuple(
            Exclusion(
                recipients=frozenset(found.get("organisations", ())),
                data_categories=frozenset(found.get("categories", ())),
                purposes=frozenset(found.get("purposes", ())),
                note=note,
            )
            for _, (found, note) in sorted(terms.exclusions.items())
        ),
        best_interests_reasons=first["best_interests_reasons"],
        supersedes=None if first["supersedes_id"] is None else str(first["supersedes_id"]),
        withdrawal=withdrawal,
    )


#: every consent of a person with its terms and withdrawal; built once (SQLAlchemy then works
#: out its cache key once, not on every call)
_CONSENTS_OF = (
    select(
        _CONSENT,
        _TERM.c.part,
        _TERM.c.exclusion,
        _TERM.c.exclusion_note,
        _TERM.c.purpose_id,
        _TERM.c.data_category_id,
        _TERM.c.organisation_id,
        _TERM.c.agreement_reference,
        *(column.label(name) for name, column in _WITHDRAWAL_COLUMNS.items()),
    )
    .join(_TERM, _TERM.c.consent_id == _CONSENT.c.id)
    .outerjoin(_WITHDRAWAL, _WITHDRAWAL.c.consent_id == _CONSENT.c.id)
    .where(_CONSENT.c.service_user_id == bindparam("service_user_id"))
)
#: every capacity assessment of a person with its terms
_ASSESSMENTS_OF = (
    select(_ASSESSMENT, _ASSESSMENT_TERM.c.purpose_id, _ASSESSMENT_TERM.c.data_category_id)
    .join(_ASSESSMENT_TERM, _ASSESSMENT_TERM.c.assessment_id == _ASSESSMENT.c.id)
    .where(_ASSESSMENT.c.service_user_id == bindparam("service_user_id"))
)


def load_facts(
    session: Session | Connection,
    service_user_id: uuid.UUID,
    date_of_birth: date | None,
    codes: Mapping[uuid.UUID, str],
) -> ConsentFacts:
    """The person's ConsentFacts; ``codes`` maps organisation ids to their codes.

    ``session`` may be a plain Connection: nothing here needs the ORM.
    """
    rows = session.execute(_CONSENTS_OF, {"service_user_id": service_user_id}).mappings()
    firsts: dict[uuid.UUID, RowMapping] = {}
    terms: dict[uuid.UUID, _Terms] = {}
    for row in rows:
        consent_id = row["id"]
        firsts.setdefault(consent_id, row)
        terms.setdefault(consent_id, _Terms()).add(row, codes)
    consents = tuple(_consent(firsts[i], terms[i], codes) for i in firsts)
    return ConsentFacts(
        subject_id=str(service_user_id),
        date_of_birth=date_of_birth,
        consents=consents,
        assessments=_assessments(session, service_user_id, codes),
    )


def _assessments(
    session: Session | Connection, service_user_id: uuid.UUID, codes: Mapping[uuid.UUID, str]
) -> tuple[CapacityAssessment, ...]:
    rows = session.execute(_ASSESSMENTS_OF, {"service_user_id": service_user_id}).mappings()
    firsts: dict[uuid.UUID, RowMapping] = {}
    purposes: dict[uuid.UUID, set[str]] = {}
    categories: dict[uuid.UUID, set[str]] = {}
    for row in rows:
        firsts.setdefault(row["id"], row)
        if row["purpose_id"] is not None:
            purposes.setdefault(row["id"], set()).add(row["purpose_id"])
        if row["data_category_id"] is not None:
            categories.setdefault(row["id"], set()).add(row["data_category_id"])
    return tuple(
        CapacityAssessment(
            id=str(i),
            subject_id=str(service_user_id),
            decision=AssessedDecision(
                frozenset(purposes.get(i, ())), frozenset(categories.get(i, ()))
            ),
            kind=AssessmentKind(row["kind"]),
            outcome=CapacityOutcome(row["outcome"]),
            assessed_by=row["assessed_by"],
            assessed_by_organisation=codes[row["assessed_by_organisation_id"]],
            assessed_at=row["assessed_at"],
            reasons=row["reasons"],
            review_date=row["review_date"],
            support_given=tuple(row["support_given"]),
        )
        for i, row in firsts.items()
    )
