"""The HTTP application: one FastAPI app serving the REST API, the web pages and static files.

``create_app`` is the only way to build it. Settings are read there, never at import time,
and the database is opened there once for the life of the process (services hand out a unit
of work per request). Every response carries the security headers of Procedure B1, and every
error is answered through ``problems.py``: problem+json under ``/api``, a page elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from infoshare import __version__
from infoshare.api import health, review_sweep, v1
from infoshare.api.problems import install_problem_handlers
from infoshare.api.security_headers import SecurityHeadersMiddleware
from infoshare.services import ledger
from infoshare.services.database import open_database
from infoshare.services.oidc_providers import ProviderDirectory, load_providers
from infoshare.settings import Settings, load_settings
from infoshare.web import (
    access_log_pages,
    account_admin_pages,
    account_pages,
    agreement_pages,
    api_token_pages,
    consent_pages,
    objection_pages,
    oidc_pages,
    pages,
    portal_pages,
    service_user_pages,
    sharing_pages,
)
from infoshare.web.error_pages import error_page
from infoshare.web.templates import STATIC_DIR

TITLE = "infoshare API"
DESCRIPTION = """\
Share personal information between health, social care and other partners lawfully, on a
need-to-know basis, provably: an inter-agency information-sharing protocol made into a system.

Routes are versioned under `/api/v1`. Every error is an RFC 9457 problem
(`application/problem+json`) with a stable `type` URI, a `title`, the `status`, a `detail`
saying what to do, and `field` or `errors` where the fault is in the input. See `docs/api.md`.
"""

#: OpenAPI tags, in the order the API description lists them
TAGS = [
    {
        "name": "protocol",
        "description": "The protocol itself, as the public sees it (section 4.2): purposes, "
        "principles, procedures and who has adopted it.",
    },
    {
        "name": "organisations",
        "description": "The partners of the protocol (section 1.2) and their adoption of it "
        "(Procedure C1).",
    },
    {
        "name": "consent",
        "description": "Consent and fitness to consent (Principle 5, Procedures A1-A4): record, "
        "withdraw, list, check coverage, receipts; capacity assessments.",
    },
    {
        "name": "fhir",
        "description": "Consent records as FHIR R4 Consent resources: export and import.",
    },
    {
        "name": "service-users",
        "description": "The calling party's own service users, for systems holding an API "
        "token (Procedure B1); every read is logged.",
    },
    {
        "name": "agreements",
        "description": "Information Sharing Agreements (sections 1.1, 3.1, 4.4): the register, "
        "each version with its lint findings, its document, and its lifecycle.",
    },
    {
        "name": "adoption",
        "description": "Each party's approval of the protocol (Procedure C1) and confirmation "
        "of its standard procedures (Procedure C3).",
    },
    {
        "name": "contacts",
        "description": "Staff with specific roles at each partner and how to reach them "
        "(Procedure A6); for partners only.",
    },
    {
        "name": "ledger",
        "description": "The tamper-evident ledger of governance events (Principle 6, "
        "Procedure C4): its public key, signed checkpoints, inclusion and consistency proofs.",
    },
    {
        "name": "disclosures",
        "description": "May I share? (Procedure A7) and sharing (Principles 4-11): the dry-run "
        "decision, recorded disclosures, and what was disclosed to the calling party.",
    },
    {
        "name": "referrals",
        "description": "Sharing without consent (Principle 6, Procedure A5): referrals to a "
        "designated officer, approval or refusal, and reviews of emergency disclosures.",
    },
    {
        "name": "cds-hooks",
        "description": "A CDS Hooks consent decision service (`patient-consent-consult`, HL7 "
        "LEAP) answering from the same decision.",
    },
    {"name": "health", "description": "Whether the service is ready to answer."},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (read from the environment if not given).

    Raises ConfigurationError if the settings are missing or unsafe.
    """
    settings = settings if settings is not None else load_settings()
    # Organisations' OpenID Connect providers (docs/security.md); read before anything opens,
    # so a wrong file stops the app at once. Discovery is fetched at the first sign-in.
    oidc_directory = ProviderDirectory(load_providers(settings.oidc_providers_file))
    database = open_database(settings.sqlalchemy_url)
    # Principle 6: sign a ledger checkpoint every N entries while serving (if a key exists)
    ledger.start_checkpointing(database, settings.keys_dir, settings.ledger_checkpoint_every)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Section 4.4: agreements whose review date has come are marked review-due
        interval = timedelta(minutes=settings.review_sweep_minutes)
        async with review_sweep.sweeping(database, interval):
            yield
        database.dispose()

    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=__version__,
        openapi_tags=TAGS,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        # The interactive documentation pages load scripts from a CDN: neither the
        # Content-Security-Policy nor an offline machine allows it. /openapi.json stays.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.oidc_directory = oidc_directory

    app.include_router(health.router)
    app.include_router(v1.router)
    app.include_router(pages.router)
    app.include_router(account_pages.router)
    app.include_router(oidc_pages.router)
    app.include_router(account_admin_pages.router)
    app.include_router(access_log_pages.router)
    app.include_router(api_token_pages.router)
    app.include_router(service_user_pages.router)
    app.include_router(agreement_pages.router)
    app.include_router(consent_pages.router)
    app.include_router(objection_pages.router)
    app.include_router(sharing_pages.router)
    app.include_router(portal_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    install_problem_handlers(app, error_page)
    # Added last, so it is the outermost middleware: every response passes through it.
    app.add_middleware(SecurityHeadersMiddleware)
    return app
