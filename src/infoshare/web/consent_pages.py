"""The consent pages: record a decision on Appendix 4's form, a person's consent history,
withdraw, record a capacity assessment, the printable form and its PDF, the receipt.

Principle 5 and Procedures A1–A4. Every page needs a signed-in member of staff; the services
decide who may record (only for their own party) and log every read of personal data
(Procedure B1). Forms carry the anti-forgery token and work without JavaScript; bad input
shows the form again with what to correct, and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.domain.capacity import AssessmentKind, CapacityOutcome
from infoshare.domain.consent import AuthorityKind, CollectionMethod, DecidedBy
from infoshare.errors import InputError
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import (
    CapacityDraft,
    ConsentView,
    SubjectConsents,
    WithdrawalDraft,
    consent_history_of,
    form_options,
    get_consent,
    receipt,
    record_consent,
    withdraw_consent,
)
from infoshare.services.consent_access import check_may_record
from infoshare.services.protocol_overview import protocol_overview
from infoshare.web.account_pages import check_form
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.consent_form import (
    SECTIONS,
    draft_from_form,
    exclusion_groups,
    form_values,
)
from infoshare.web.consent_pdf import pdf_of
from infoshare.web.form_time import form_moment, now_local
from infoshare.web.templates import account_context, page_templates

router = APIRouter(include_in_schema=False)


def _multi(form: FormData) -> dict[str, list[str]]:
    return {key: [str(v) for v in form.getlist(key)] for key in form}


def _form_context(
    request: Request,
    database: DatabaseDep,
    *,
    mode: str,
    values: Mapping[str, Any],
    error: str | None = None,
    record_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    overview = protocol_overview(database.unit_of_work())
    return {
        "mode": mode,
        "action": "/consents/new",
        "sections": SECTIONS,
        "values": values,
        "groups": exclusion_groups(values),
        "options": form_options(database.unit_of_work()),
        "protocol": overview.pack.title,
        "error": error,
        "record_id": record_id,
        "active": "service-users",
    }


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    return page_templates().TemplateResponse(request, template, context, status_code=status)


def _values_from_post(form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What was posted, shaped as ``form_values`` shapes a record, to show it again."""
    try:
        return form_values(draft_from_form(form))
    except InputError:
        pass
    values = form_values(None)
    for name in values:
        posted = list(form.get(name, ()))
        if isinstance(values[name], list):
            values[name] = posted
        elif isinstance(values[name], bool):
            values[name] = posted[:1] == ["yes"]
        else:
            values[name] = posted[0] if posted else ""
    return values


# --- recording ----------------------------------------------------------------------------------


@router.get("/consents/new", response_class=HTMLResponse, name="consent-new")
def new_consent_page(
    request: Request,
    staff: SignedInStaff,
    database: DatabaseDep,
    service_user: Annotated[uuid.UUID | None, Query()] = None,
) -> Response:
    nhs_number = ""
    if service_user is not None:
        history = consent_history_of(
            database.unit_of_work(),
            service_user,
            requester=requester_of(request, staff),
            why="opened the consent form",
        )
        nhs_number = history.nhs_number
    values = form_values(
        None,
        nhs_number=nhs_number,
        decided_by=DecidedBy.SERVICE_USER,
        decision="given",
        method=CollectionMethod.SIGNED_FORM,
        obtained_by=staff.account.name,
        obtained_by_organisation=staff.account.organisation_code,
        leaflet_given=True,
    )
    values["obtained_at"] = now_local()
    return _render(
        request, "consent_form.html", _form_context(request, database, mode="edit", values=values)
    )


@router.post("/consents/new", response_class=HTMLResponse)
async def new_consent_submit(
    request: Request, staff: SignedInStaff, settings: SettingsDep, database: DatabaseDep
) -> Response:
    form = await request.form()
    await run_in_threadpool(
        check_form, request, settings, database, str(form.get("csrf_token") or "")
    )
    requester = requester_of(request, staff)
    # The role first, then the form: a role that may not record gets 403, not 422 (B1).
    await run_in_threadpool(
        lambda: check_may_record(database.unit_of_work(), requester, what="consent")
    )
    posted = _multi(form)
    try:
        draft = draft_from_form(posted)
        view: ConsentView = await run_in_threadpool(
            record_consent, database.unit_of_work(), draft, requester=requester
        )
    except InputError as error:
        message = error.message
        context = await run_in_threadpool(
            lambda: _form_context(
                request, database, mode="edit", values=_values_from_post(posted), error=message
            )
        )
        return _render(request, "consent_form.html", context, status=422)
    return RedirectResponse(f"/service-users/{view.subject_id}/consents", status_code=303)


# --- the history ---------------------------------------------------------------------------------


@router.get(
    "/service-users/{service_user_id}/consents", response_class=HTMLResponse, name="consents"
)
def consent_history_page(
    request: Request, staff: SignedInStaff, database: DatabaseDep, service_user_id: uuid.UUID
) -> Response:
    history = consent_history_of(
        database.unit_of_work(),
        service_user_id,
        requester=requester_of(request, staff),
        why="opened the consent history page",
    )
    person = _person(service_user_id, history)
    return _render(
        request,
        "consent_history.html",
        {"history": history, "person": person, "active": "service-users"},
    )


def _person(service_user_id: uuid.UUID, history: SubjectConsents) -> dict[str, Any]:
    return {
        "id": service_user_id,
        "given_name": history.given_name,
        "family_name": history.family_name,
    }


# --- withdrawing ---------------------------------------------------------------------------------


def _withdraw_context(
    consent: ConsentView, values: Mapping[str, Any], error: str | None
) -> dict[str, Any]:
    return {
        "consent": consent,
        "values": values,
        "error": error,
        "methods": [str(m) for m in CollectionMethod],
        "authorities": [str(a) for a in AuthorityKind],
        "active": "service-users",
    }


@router.get("/consents/{consent_id}/withdraw", response_class=HTMLResponse)
def withdraw_page(
    request: Request, staff: SignedInStaff, database: DatabaseDep, consent_id: uuid.UUID
) -> Response:
    consent = get_consent(
        database.unit_of_work(),
        consent_id,
        requester=requester_of(request, staff),
        why="opened the withdrawal form",
    )
    values = {
        "at": now_local(),
        "method": "verbal-recorded",
        "withdrawn_by": "service-user",
        "representative_name": "",
        "representative_relationship": "",
        "representative_authority": "",
        "representative_authority_reference": "",
        "reason": "",
    }
    return _render(request, "consent_withdraw.html", _withdraw_context(consent, values, None))


@router.post("/consents/{consent_id}/withdraw", response_class=HTMLResponse)
async def withdraw_submit(
    request: Request,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    consent_id: uuid.UUID,
) -> Response:
    form = await request.form()
    await run_in_threadpool(
        check_form, request, settings, database, str(form.get("csrf_token") or "")
    )
    values = {
        key: str(form.get(key) or "").strip()
        for key in (
            "at",
            "method",
            "withdrawn_by",
            "representative_name",
            "representative_relationship",
            "representative_authority",
            "representative_authority_reference",
            "reason",
        )
    }
    requester = requester_of(request, staff)
    await run_in_threadpool(
        lambda: check_may_record(database.unit_of_work(), requester, what="withdrawal")
    )
    try:
        if form.get("confirm") != "yes":
            raise InputError(
                "tick the box to confirm the person has withdrawn this consent", field="confirm"
            )
        draft = WithdrawalDraft.model_validate(
            {
                **{k: v or None for k, v in values.items()},
                "at": form_moment(values["at"], "at"),
                "recorded_by": staff.account.name,
                "recorded_by_organisation": staff.account.organisation_code,
                "withdrawn_by": values["withdrawn_by"] or "service-user",
            }
        )
        view = await run_in_threadpool(
            withdraw_consent, database.unit_of_work(), consent_id, draft, requester=requester
        )
    except (InputError, ValueError) as error:
        message = error.message if isinstance(error, InputError) else _first_error(error)
        consent = await run_in_threadpool(
            lambda: get_consent(
                database.unit_of_work(),
                consent_id,
                requester=requester,
                why="showed the withdrawal form again",
            )
        )
        return _render(
            request, "consent_withdraw.html", _withdraw_context(consent, values, message), 422
        )
    return RedirectResponse(f"/service-users/{view.subject_id}/consents", status_code=303)


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"`{where}`: {first['msg'].lower()}; correct it"
    return str(error)


# --- capacity assessments ------------------------------------------------------------------------


def _capacity_context(
    person: Mapping[str, Any], values: Mapping[str, Any], options: Any, error: str | None
) -> dict[str, Any]:
    return {
        "person": person,
        "values": values,
        "options": options,
        "error": error,
        "kinds": [str(k) for k in AssessmentKind],
        "outcomes": [str(o) for o in CapacityOutcome],
        "active": "service-users",
    }


@router.get(
    "/service-users/{service_user_id}/capacity-assessments/new", response_class=HTMLResponse
)
def capacity_page(
    request: Request, staff: SignedInStaff, database: DatabaseDep, service_user_id: uuid.UUID
) -> Response:
    history = consent_history_of(
        database.unit_of_work(),
        service_user_id,
        requester=requester_of(request, staff),
        why="opened the capacity assessment form",
    )
    values = {
        "purposes": [],
        "data_categories": [],
        "kind": "capacity",
        "outcome": "has-capacity",
        "reasons": "",
        "support_given": "",
        "assessed_by": staff.account.name,
        "assessed_by_organisation": staff.account.organisation_code,
        "assessed_at": now_local(),
        "review_date": "",
    }
    person = _person(service_user_id, history)
    return _render(
        request,
        "capacity_assessment_form.html",
        _capacity_context(person, values, form_options(database.unit_of_work()), None),
    )


@router.post(
    "/service-users/{service_user_id}/capacity-assessments/new", response_class=HTMLResponse
)
async def capacity_submit(
    request: Request,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    service_user_id: uuid.UUID,
) -> Response:
    form = await request.form()
    await run_in_threadpool(
        check_form, request, settings, database, str(form.get("csrf_token") or "")
    )
    requester = requester_of(request, staff)
    await run_in_threadpool(
        lambda: check_may_record(database.unit_of_work(), requester, what="capacity assessment")
    )
    single = (
        "kind",
        "outcome",
        "reasons",
        "support_given",
        "assessed_by",
        "assessed_by_organisation",
        "assessed_at",
        "review_date",
    )
    values: dict[str, Any] = {key: str(form.get(key) or "").strip() for key in single}
    values["purposes"] = [str(v) for v in form.getlist("purposes")]
    values["data_categories"] = [str(v) for v in form.getlist("data_categories")]

    def submit() -> str:
        history = consent_history_of(
            database.unit_of_work(),
            service_user_id,
            requester=requester,
            why="recorded a capacity assessment",
        )
        draft = CapacityDraft.model_validate(
            {
                **{k: v for k, v in values.items() if v != ""},
                "nhs_number": history.nhs_number,
                "assessed_at": form_moment(values["assessed_at"], "assessed_at"),
                "support_given": [
                    s.strip() for s in values["support_given"].split(";") if s.strip()
                ],
            }
        )
        record_capacity_assessment(database.unit_of_work(), draft, requester=requester)
        return history.nhs_number

    try:
        await run_in_threadpool(submit)
    except (InputError, ValueError) as error:
        message = error.message if isinstance(error, InputError) else _first_error(error)
        history = await run_in_threadpool(
            lambda: consent_history_of(
                database.unit_of_work(),
                service_user_id,
                requester=requester,
                why="showed the form again",
            )
        )
        options = await run_in_threadpool(lambda: form_options(database.unit_of_work()))
        person = _person(service_user_id, history)
        context = _capacity_context(person, values, options, message)
        return _render(request, "capacity_assessment_form.html", context, 422)
    return RedirectResponse(f"/service-users/{service_user_id}/consents", status_code=303)


# --- printable form, PDF, receipt ----------------------------------------------------------------


def _printable(
    request: Request, staff: SignedInStaff, database: DatabaseDep, consent_id: uuid.UUID | None
) -> dict[str, Any]:
    if consent_id is None:
        values = form_values(None)
    else:
        view = get_consent(
            database.unit_of_work(),
            consent_id,
            requester=requester_of(request, staff),
            why="printed the consent form",
        )
        values = form_values(view.draft())
    return _form_context(request, database, mode="print", values=values, record_id=consent_id)


@router.get("/consents/form", response_class=HTMLResponse)
def blank_form_page(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    return _render(request, "consent_form.html", _printable(request, staff, database, None))


@router.get("/consents/form.pdf")
def blank_form_pdf(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    return _pdf(request, _printable(request, staff, database, None), "consent-form.pdf")


@router.get("/consents/{consent_id}/form", response_class=HTMLResponse)
def filled_form_page(
    request: Request, staff: SignedInStaff, database: DatabaseDep, consent_id: uuid.UUID
) -> Response:
    return _render(request, "consent_form.html", _printable(request, staff, database, consent_id))


@router.get("/consents/{consent_id}/form.pdf")
def filled_form_pdf(
    request: Request, staff: SignedInStaff, database: DatabaseDep, consent_id: uuid.UUID
) -> Response:
    context = _printable(request, staff, database, consent_id)
    return _pdf(request, context, f"consent-{consent_id}.pdf")


def _pdf(request: Request, context: dict[str, Any], filename: str) -> Response:
    html = (
        page_templates()
        .env.get_template("consent_form.html")
        .render({**context, **account_context(request), "request": request})
    )
    return Response(
        pdf_of(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/consents/{consent_id}/receipt", response_class=HTMLResponse)
def receipt_page(
    request: Request, staff: SignedInStaff, database: DatabaseDep, consent_id: uuid.UUID
) -> Response:
    issued = datetime.now(UTC)
    data = receipt(
        database.unit_of_work(), consent_id, requester=requester_of(request, staff), now=issued
    )
    return _render(
        request,
        "consent_receipt.html",
        {"receipt": data, "issued_on": issued.date(), "active": "service-users"},
    )
