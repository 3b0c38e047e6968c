"""The pages of the ISA register (Sections 1.1, 3.1, 4.4), adoption (Procedures C1, C3) and
the contacts directory (Procedure A6).

The register, each agreement with its lint findings and its document, and the adoption and
procedures tables are public: they name organisations, posts and purposes, nothing about
service users (Section 4.2 makes the protocol public). The contacts directory names staff
and how to reach them directly, so it needs sign-in; a lead member (or anyone with
``agreements:manage``) and the administrator set how to reach their own party's staff.
Changing an agreement (propose, sign, activate) is a form for signed-in staff, with its
anti-forgery token; the service decides whether the person may (``agreements:manage``, for
their own party) and logs refusals.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep, UnitOfWorkDep
from infoshare.domain.agreement import IsaStatus
from infoshare.errors import InputError
from infoshare.services import adoption, agreements, contacts, what_if
from infoshare.services.agreement_document import agreement_html, agreement_pdf, stylesheet
from infoshare.services.organisations import list_organisations
from infoshare.services.sessions import SignedIn
from infoshare.web.account_pages import CsrfField, check_form
from infoshare.web.auth import OptionalStaff, SignedInStaff, requester_of
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

DOCUMENT_STYLESHEET = "/agreement-document.css"
VersionQuery = Annotated[int | None, Query(ge=1)]
Field = Annotated[str, Form(max_length=200)]


def agreement_manager(request: Request, staff: SignedInStaff, database: DatabaseDep) -> SignedIn:
    """The signed-in person, once the service has checked their roles may change the register
    at all: before the form is read, so a role that may not is refused (403, logged), not
    told its form is incomplete (Procedure B1)."""
    agreements.check_may_manage(
        database.unit_of_work(),
        requester_of(request, staff),
        what=f"form posted to `{request.url.path}`",
    )
    return staff


AgreementManager = Annotated[SignedIn, Depends(agreement_manager)]


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"`{value}` is not a date; write it as YYYY-MM-DD, e.g. `2003-04-01`", field=field
        ) from None


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


@router.get("/agreements/new", response_class=HTMLResponse, name="agreements-new")
def import_page(request: Request, _staff: SignedInStaff) -> Response:
    return _page(request, "agreement_import.html", {"active": "agreements"})


@router.post("/agreements/new")
def import_submit(
    request: Request,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    file_name: Annotated[str, Form(max_length=200)] = "agreement.yaml",
    text: Annotated[str, Form(max_length=1_000_000)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Store an agreement written in YAML; a bad file is answered with every problem."""
    check_form(request, settings, database, csrf_token)
    summary = agreements.import_agreement(
        database.unit_of_work(),
        text,
        file_name.strip() or "agreement.yaml",
        requester=requester_of(request, staff),
    )
    return RedirectResponse(_agreement_url(summary.reference, summary.version), status_code=303)


@router.get("/agreements/{reference}", response_class=HTMLResponse)
def agreement_page(
    request: Request,
    reference: str,
    database: DatabaseDep,
    settings: SettingsDep,
    staff: OptionalStaff,
    version: VersionQuery = None,
    as_at: Annotated[date | None, Query()] = None,
    days: Annotated[int, Query(ge=1, le=what_if.MAX_DAYS)] = what_if.DEFAULT_DAYS,
) -> Response:
    """One version; the lint as at ``as_at`` (default today), e.g. to see it as in 2003.

    For staff who may manage it, a version not yet in force also shows what it would change:
    the requests of the last ``days`` days that named the agreement, replayed through it.
    """
    detail = agreements.get_agreement(database.unit_of_work(), reference, version, today=as_at)
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
    replay = None
    if staff is not None and may_manage and summary.status in what_if.CANDIDATE_STATUSES:
        replay = what_if.what_if(
            database, reference, summary.version, days=days,
            requester=requester_of(request, staff),
            review_hours=settings.emergency_review_hours,
        )  # fmt: skip
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
            "replay": replay,
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
    staff: AgreementManager,
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
    staff: AgreementManager,
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
    on = _date(signed_on, "signed_on")
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
    staff: AgreementManager,
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


@router.post("/agreements/{reference}/review")
def review_submit(
    request: Request,
    reference: str,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    version: Annotated[int, Form(ge=1)],
    reviewed_on: Annotated[str, Form(max_length=10)] = "",
    next_review: Annotated[str, Form(max_length=10)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """A review that changed nothing, and when the next one is (Section 4.4)."""
    check_form(request, settings, database, csrf_token)
    agreements.record_review(
        database.unit_of_work(),
        reference,
        reviewed_on=_date(reviewed_on, "reviewed_on"),
        next_review=_date(next_review, "next_review"),
        version=version,
        requester=requester_of(request, staff),
    )
    return RedirectResponse(_agreement_url(reference, version), status_code=303)


@router.post("/agreements/{reference}/expire")
def expire_submit(
    request: Request,
    reference: str,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    version: Annotated[int, Form(ge=1)],
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    agreements.expire(
        database.unit_of_work(), reference, version, requester=requester_of(request, staff)
    )
    return RedirectResponse(_agreement_url(reference, version), status_code=303)


@router.post("/agreements/{reference}/terminate")
def terminate_submit(
    request: Request,
    reference: str,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    version: Annotated[int, Form(ge=1)],
    reason: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    agreements.terminate(
        database.unit_of_work(),
        reference,
        version,
        reason=reason,
        requester=requester_of(request, staff),
    )
    return RedirectResponse(_agreement_url(reference, version), status_code=303)


@router.post("/agreements/{reference}/amend")
def amend_submit(
    request: Request,
    reference: str,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    summary: Annotated[str, Form(max_length=1000)] = "",
    dated: Annotated[str, Form(max_length=10)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """The next version, as an unsigned draft; it is changed by export, edit and import."""
    check_form(request, settings, database, csrf_token)
    draft = agreements.amend(
        database.unit_of_work(),
        reference,
        dated=_date(dated, "dated"),
        summary=summary,
        requester=requester_of(request, staff),
    )
    return RedirectResponse(_agreement_url(reference, draft.version), status_code=303)


@router.post("/adoption/approval")
def adoption_submit(
    request: Request,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    approved_on: Annotated[str, Form(max_length=10)] = "",
    approving_body: Annotated[str, Form(max_length=500)] = "",
    minute_reference: Annotated[str, Form(max_length=200)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """The signed-in person's party approved the protocol (Procedure C1)."""
    check_form(request, settings, database, csrf_token)
    adoption.record_adoption(
        database.unit_of_work(),
        staff.actor.organisation_code,
        approved_on=_date(approved_on, "approved_on"),
        approving_body=approving_body,
        minute_reference=minute_reference or None,
        requester=requester_of(request, staff),
    )
    return RedirectResponse("/adoption", status_code=303)


@router.post("/adoption/confirmations")
def confirmation_submit(
    request: Request,
    staff: AgreementManager,
    settings: SettingsDep,
    database: DatabaseDep,
    procedure: Annotated[str, Form(max_length=8)] = "",
    confirmed_on: Annotated[str, Form(max_length=10)] = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """The signed-in lead member confirms a procedure for their party (Procedure C3)."""
    check_form(request, settings, database, csrf_token)
    adoption.confirm_procedure(
        database.unit_of_work(),
        organisation=staff.actor.organisation_code,
        procedure=procedure,
        confirmed_by=staff.account.email,
        confirmed_on=_date(confirmed_on, "confirmed_on"),
        evidence=evidence,
        requester=requester_of(request, staff),
    )
    return RedirectResponse("/adoption#procedures", status_code=303)


@router.get("/adoption", response_class=HTMLResponse, name="adoption")
def adoption_page(request: Request, database: DatabaseDep, staff: OptionalStaff) -> Response:
    rows = adoption.adoption_table(database.unit_of_work())
    table = adoption.procedure_table(database.unit_of_work())
    own = staff.actor.organisation_code if staff is not None else None
    may_manage = staff is not None and (
        agreements.management_refusal(
            staff.requester("web"), organisations=[own or ""], what="adoption"
        )
        is None
    )
    own_row = next((r for r in rows if r.organisation == own), None)
    own_procedures = next((r for r in table.rows if r.organisation == own), None)
    is_lead = staff is not None and adoption.CONFIRMING_ROLE in staff.actor.roles
    return _page(
        request,
        "adoption.html",
        {
            "active": "adoption",
            "adoption": rows,
            "table": table,
            "own": own,
            "may_record_approval": may_manage
            and own_row is not None
            and own_row.membership == "party"
            and own_row.approved_on is None,
            "unconfirmed": [p for p, c in own_procedures.confirmations.items() if c is None]
            if may_manage and is_lead and own_procedures is not None
            else [],
        },
    )


@router.get("/contacts", response_class=HTMLResponse, name="contacts")
def contacts_page(
    request: Request,
    database: DatabaseDep,
    staff: SignedInStaff,
    organisation: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    directory = contacts.contacts_directory(
        database.unit_of_work(), organisation=organisation or None
    )
    own = staff.actor.organisation_code
    editable = (
        contacts.contacts_directory(database.unit_of_work(), organisation=own)
        if contacts.may_set_contact_details(staff.requester("web"), own)
        else []
    )
    return _page(
        request,
        "contacts.html",
        {
            "active": "contacts",
            "directory": directory,
            "roles": contacts.DIRECTORY_ROLES,
            "own": own,
            "editable": editable,
        },
    )


@router.post("/contacts/details")
def contact_details_submit(
    request: Request,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    email: Annotated[str, Form(max_length=320)] = "",
    telephone: Annotated[str, Form(max_length=40)] = "",
    secure_email: Annotated[str, Form(max_length=320)] = "",
    hours: Annotated[str, Form(max_length=200)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """How to reach a member of staff of the signed-in person's party (Procedure A6); what
    was set before is replaced, and an empty field clears it.
    """
    check_form(request, settings, database, csrf_token)
    requester = requester_of(request, staff)
    # The role first, then the form: one who may not set details gets 403, not 422 (B1).
    contacts.check_may_set_contact_details(database.unit_of_work(), requester)
    contacts.set_contact_details(
        database.unit_of_work(),
        email,
        telephone=telephone,
        secure_email=secure_email,
        hours=hours,
        requester=requester,
    )
    return RedirectResponse("/contacts#set-details", status_code=303)
