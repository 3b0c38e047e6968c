"""Version 1 of the REST API, mounted under ``/api/v1``.

A change that would break a client goes into a new version beside this one; additions
(new routes, new optional fields) are made here.
"""

from __future__ import annotations

from fastapi import APIRouter

from infoshare.api import cds_hooks
from infoshare.api.v1 import (
    adoption,
    agreements,
    consents,
    contacts,
    decisions,
    fhir,
    fhir_audit,
    ledger,
    objections,
    protocol,
    referrals,
    service_users,
)

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
# First: routes are matched in order, and a disclosure is the call partners make most often
# (docs/performance.md, "HTTP"); no other router shares its paths.
router.include_router(decisions.router)
router.include_router(protocol.router)
router.include_router(service_users.router)
router.include_router(consents.router)
router.include_router(objections.router)
router.include_router(fhir.router)
router.include_router(agreements.router)
router.include_router(adoption.router)
router.include_router(contacts.router)
router.include_router(ledger.router)
router.include_router(fhir_audit.router)
router.include_router(referrals.router)
# CDS Hooks puts its services at `{base URL}/cds-services`; the base URL is /api/v1.
router.include_router(cds_hooks.router)
