"""``/api/v1/fhir``: consent records as FHIR R4 ``Consent`` resources (Procedure A3).

Export a service user's consents as a searchset Bundle, or one consent; import a Consent or
a Bundle of them, all or nothing. Resources are checked with the ``fhir.resources`` R4B
models (R4B's Consent is R4's); malformed FHIR is a 422 problem whose ``field`` is the FHIR
path at fault. The mapping is ``docs/fhir.md``. The same API tokens and rules as
``/api/v1/consents`` apply (Procedure B1). Other resources (AuditEvent for the ledger)
may join this router later.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Body, Query, status

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services.fhir_consent import fhir_consent, fhir_consents_of, import_fhir

router = APIRouter(prefix="/fhir", tags=["fhir"])


@router.get(
    "/Consent",
    summary="A service user's consents as a FHIR R4 searchset Bundle",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def search_consents(
    uow: UnitOfWorkDep,
    caller: ApiCaller,
    patient: str = Query(description="the patient's NHS number"),
) -> dict[str, Any]:
    return fhir_consents_of(uow, patient, requester=caller)


@router.get(
    "/Consent/{consent_id}",
    summary="One consent as a FHIR R4 Consent",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def read_consent(consent_id: uuid.UUID, uow: UnitOfWorkDep, caller: ApiCaller) -> dict[str, Any]:
    return fhir_consent(uow, consent_id, requester=caller)


@router.post(
    "/Consent",
    status_code=status.HTTP_201_CREATED,
    summary="Import a FHIR R4 Consent, or a Bundle of them (all or nothing)",
    responses=problem_responses(401, 403, 422, 503),
)
def import_consents(
    uow: UnitOfWorkDep,
    caller: ApiCaller,
    resource: dict[str, Any] = Body(  # noqa: B008
        description="a FHIR R4 Consent or Bundle, as `application/fhir+json` or JSON"
    ),
) -> dict[str, Any]:
    """Answers with a `transaction-response` Bundle locating each consent stored."""
    return import_fhir(uow, resource, requester=caller)
