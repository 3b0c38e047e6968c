"""``/api/v1/fhir/AuditEvent``: recorded disclosures as FHIR R4 AuditEvents (IHE BALP).

Principle 6, Principle 12 and Section 4.3: the ledger's ``disclosure:made`` entries, each
as an AuditEvent of the IHE Basic Audit Log Patterns "Privacy Disclosure at Source" profile
(``services/fhir_audit.py``, docs/fhir.md). Like the ledger's proofs, they need an API token
with ``monitoring:read``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services.fhir_audit import (
    MAX_COUNT,
    disclosure_audit_event,
    disclosure_audit_events,
)

router = APIRouter(prefix="/fhir", tags=["fhir"])


@router.get(
    "/AuditEvent",
    summary="Recorded disclosures as a FHIR R4 searchset Bundle of AuditEvents (IHE BALP)",
    responses=problem_responses(401, 403, 422),
)
def search_audit_events(
    uow: UnitOfWorkDep,
    caller: ApiCaller,
    patient: Annotated[
        str | None, Query(description="the subject's pseudonymous id, as the ledger holds it")
    ] = None,
    count: Annotated[
        int, Query(alias="_count", ge=1, le=MAX_COUNT, description="how many, newest first")
    ] = 100,
) -> dict[str, Any]:
    return disclosure_audit_events(uow, caller, patient=patient, count=count)


@router.get(
    "/AuditEvent/{resource_id}",
    summary="One recorded disclosure as a FHIR R4 AuditEvent",
    responses=problem_responses(401, 403, 404, 422),
)
def read_audit_event(resource_id: str, uow: UnitOfWorkDep, caller: ApiCaller) -> dict[str, Any]:
    return disclosure_audit_event(uow, caller, resource_id)
