"""The pages of the ISA register (Sections 1.1, 3.1, 4.4), adoption (Procedures C1, C3) and
the contacts directory (Procedure A6).

The register, each agreement with its lint findings and its document, and the adoption and
procedures tables are public: they name organisations, posts and purposes, nothing about
service users (Section 4.2 makes the protocol public). The contacts directory names staff
and how to reach them directly, so it needs sign-in. Changing an agreement (propose, sign,
activate) is a form for signed-in staff, with its anti-forgery token; the service decides
whether the person may (``agreements:manage``, for their own party) and logs refusals.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep, UnitOfWorkDep
from infoshare.domain.agreement import IsaStatus
from infoshare.errors import InputError
from infoshare.services import adoption, agreements, contacts
from infoshare.services.agreement_document import agreement_html, agreement_pdf, stylesheet
from infoshare.services.organisations import list_organisations
from infoshare.web.account_pages import CsrfField, check_form
from infoshare.web.auth import OptionalStaff, SignedInStaff, requester_of
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

DOCUMENT_STYLESHEET = "/agreement-document.css"
VersionQuery = Annotated[int | None, Query(ge=1)]
Field = Annotated[str, Form(max_length=200)]


def _page(request: Request, template: str, context: dict[str, Any]) -> Response:
    return page_templates().TemplateResponse(request, template, context)


def _agreement_url(reference: str, version: int | None = None) -> str:
    return f"/agreements/{reference}" + (f"?version={version}" if version else "")


@router.get("/agreements", response_class=HTMLResponse, name="agreements")
def register_page(
    request: Request,
    uow: UnitOfWorkDep,
    database: DatabaseDep,
    _staff: OptionalStaff,
    party: Annotated[str | None, Query(max_length=12)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    review_due: Annotated[str | None, Query(max_length=3)] = None,
) -> Response:
    # An empty select sends an empty value: it means "any".
    found = agreements.list_agreements(
        uow,
        party=party or None,
        status=status or None,
        review_due=True if review_due == "yes" else None,
    )
    parties = list_organisations(database.unit_of_work())
    return _page(
        request,
        "agreements.html",
        {
            "active": "agreements",
            "agreements": found,
            "organisations": parties,
            "statuses": list(IsaStatus),
            "chosen": {"party": party or "", "status": status or "", "review_due": review_due},
        },
    )


@router.get("/agreements/{reference}", response_class=HTMLResponse)
def agreement_page(
    request: Request,
    reference: str,
    uow: UnitOfWorkDep,
    staff: OptionalStaff,
    version: VersionQuery = None,
    as_at: Annotated[date | None, Query()] = None,
) -> Response:
    """One version; the lint as at ``as_at`` (default today), e.g. to see it as in 2003."""
    detail = agreements.get_agreement(uow, reference, version, today=as_at)
    summary = detail.summary
    acting_for = staff.actor.organisation_code if staff is not None else None
    may_manage = (
        staff is not None
        and agreements.management_refusal(
            staff.requester("web"),
            organisations=[p.organisation for p in summary.parties],
            what="this agreement",
        )
        is None
    )
    unsigned_own = acting_for in {p.organisation for p in summary.parties if not p.signed}
    return _page(
        request,
        "agreement.html",
        {
            "active": "agreements",
            "detail": detail,
            "isa": detail.agreement,
            "summary": summary,
            "may_manage": may_manage,
            "acting_for": acting_for,
            "may_sign": may_manage and summary.status == IsaStatus.PROPOSED and unsigned_own,
            "version_query": f"?version={summary.version}",
        },
    )


@router.get("/agreements/{reference}/document", response_class=HTMLResponse)
def agreement_document_page(
    reference: str, uow: UnitOfWorkDep, version: VersionQuery = None
) -> Response:
    html = agreement_html(uow, reference, version, stylesheet_href=DOCUMENT_STYLESHEET)
    return HTMLResponse(html)


@router.get("/agreements/{reference}/document.pdf")
def agreement_document_pdf(
    reference: str, uow: UnitOfWorkDep, version: VersionQuery = None
) -> Response:
    name = f"{reference}-v{version}.pdf" if version else f"{reference}.pdf"
    return Response(
        agreement_pdf(uow, reference, version),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(DOCUMENT_STYLESHEET)
def agreement_document_stylesheet() -> Response:
    return Response(stylesheet(), media_type="text/css; charset=utf-8")


@router.post("/agreements/{reference}/propose")
def propose_submit(
    request: Request,
    reference: str,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    version: Annotated[int, Form(ge=1)],
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    agreements.propose(
        database.unit_of_work(), reference, version, requester=requester_of(request, staff)
    )
    return RedirectResponse(_agreement_url(reference, version), status_code=303)


@router.post("/agreements/{reference}/sign")
def sign_submit(
    request: Request,
    reference: str,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    version: Annotated[int, Form(ge=1)],
    name: Field = "",
    post: Field = "",
    signed_on: Annotated[str, Form(max_length=10)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """The signed-in person records their party's signature (Section 1.1)."""
    check_form(request, settings, database, csrf_token)
    try:
        on = date.fromisoformat(signed_on)
    except ValueError:
        raise InputError(
            f"`{signed_on}` is not a date; write it as YYYY-MM-DD, e.g. `2003-04-01`",
            field="signed_on",
        ) from None
    agreements.sign(
        database.unit_of_work(),
        reference,
        organisation=staff.actor.organisation_code,
        name=name,
        post=post,
        signed_on=on,
        version=version,
        requester=requester_of(request, staff),
    )
    return RedirectResponse(_agreement_url(reference, version), status_code=303)


@router.post("/agreements/{reference}/activate")
def activate_submit(
    request: Request,
    reference: str,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    version: Annotated[int, Form(ge=1)],
    csrf_token: CsrfField = "",
) -> Response:
    """Activation is refused, with every lint error, while the lint finds errors."""
    check_form(request, settings, database, csrf_token)
    agreements.activate(
        database.unit_of_work(), reference, version, requester=requester_of(request, staff)
    )
    return RedirectResponse(_agreement_url(reference, version), status_code=303)


@router.get("/adoption", response_class=HTMLResponse, name="adoption")
def adoption_page(request: Request, database: DatabaseDep, _staff: OptionalStaff) -> Response:
    return _page(
        request,
        "adoption.html",
        {
            "active": "adoption",
            "adoption": adoption.adoption_table(database.unit_of_work()),
            "table": adoption.procedure_table(database.unit_of_work()),
        },
    )


@router.get("/contacts", response_class=HTMLResponse, name="contacts")
def contacts_page(
    request: Request,
    uow: UnitOfWorkDep,
    _staff: SignedInStaff,
    organisation: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    directory = contacts.contacts_directory(uow, organisation=organisation or None)
    return _page(
        request,
        "contacts.html",
        {"active": "contacts", "directory": directory, "roles": contacts.DIRECTORY_ROLES},
    )
