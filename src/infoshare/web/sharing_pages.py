"""The sharing pages: "May I share?" (Procedure A7), recording a disclosure, what was
disclosed to one's party, referrals for designated officers (Procedure A5) and emergency
reviews.

``/share`` asks the walkthrough's questions in order on one page of sections (no script
needed); submitting it asks the dry-run decision and shows it with every reason and its
clause, each step explained, and a form that turns it into a request in one step: the items
to share (each marked fact / opinion / both, Principle 10, and confidential from the person
with reason and ground, Principle 8), recorded as a disclosure or sent to a designated
officer. Routes pass the signed-in person to the services, which check role and party and
log reads and refusals; every form carries the CSRF token.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import InputError
from infoshare.services import disclosures, emergencies, referrals, walkthrough
from infoshare.services.disclosures import RequestDraft
from infoshare.web.account_pages import check_form
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

FIELD_MAX = 4000


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:FIELD_MAX] if isinstance(value, str) else ""


def _list(form: FormData, name: str) -> list[str]:
    return [v.strip()[:64] for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _draft_values(form: FormData, staff: SignedInStaff, *, with_items: bool) -> dict[str, Any]:
    basis: dict[str, Any] = {"kind": _text(form, "basis") or "consent"}
    if basis["kind"] == "statutory":
        basis["legal_grounds"] = _list(form, "legal_ground")
        basis["justification"] = _text(form, "justification")
    if basis["kind"] == "emergency":
        basis["emergency_reason"] = _text(form, "emergency_reason")
    values: dict[str, Any] = {
        "provider": _text(form, "provider") or staff.account.organisation_code,
        "recipient": _text(form, "recipient"),
        "recipient_role": _text(form, "recipient_role") or None,
        "nhs_number": _text(form, "nhs_number").replace(" ", ""),
        "purpose": _text(form, "purpose"),
        "categories": _list(form, "category"),
        "transfer_method": _text(form, "transfer_method"),
        "basis": basis,
    }
    if _text(form, "derived_from"):
        values["derived_from"] = _text(form, "derived_from")
    if _text(form, "officer_name"):
        values["police_request"] = {
            "officer_name": _text(form, "officer_name"),
            "rank": _text(form, "rank"),
            "information_needed": _text(form, "information_needed"),
            "why_needed": _text(form, "why_needed"),
            "prejudice_statement": _text(form, "prejudice_statement") == "yes",
        }
    if with_items:
        items = []
        for category in values["categories"]:
            content = _text(form, f"content-{category}")
            if not content:
                continue
            confidential = _text(form, f"confidential-{category}") == "yes"
            items.append(
                {
                    "category": category,
                    "content": content,
                    "nature": _text(form, f"nature-{category}") or "fact",
                    "confidential_from_subject": confidential,
                    "confidential_reason": _text(form, f"confidential-reason-{category}") or None,
                    "confidential_ground": _text(form, f"confidential-ground-{category}") or None,
                }
            )
        values["items"] = items
    return values


def _draft(values: dict[str, Any]) -> RequestDraft:
    try:
        return RequestDraft.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "form"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(f"{where}: {message}", field=where) from None


def _share_page(
    request: Request,
    database: DatabaseDep,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    outcome: Any = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "active": "share",
        "steps": walkthrough.STEPS,
        "choices": walkthrough.choices(database),
        "values": values or {},
        "error": error,
        "outcome": outcome,
    }
    return page_templates().TemplateResponse(
        request, "share.html", context, status_code=status_code
    )


@router.get("/share", response_class=HTMLResponse)
def share_page(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    values = {"provider": staff.account.organisation_code}
    return _share_page(request, database, values=values)


@router.post("/share", response_class=HTMLResponse)
async def share_ask(
    request: Request, staff: SignedInStaff, settings: SettingsDep, database: DatabaseDep
) -> Response:
    form = await request.form()
    await run_in_threadpool(check_form, request, settings, database, _text(form, "csrf_token"))
    requester = requester_of(request, staff)
    # The role first, then the form: a role that may not share gets 403, not 422 (B1).
    await run_in_threadpool(disclosures.check_may_share, database, requester)
    values = _draft_values(form, staff, with_items=False)
    try:
        draft = _draft(values)
        done = await run_in_threadpool(
            disclosures.ask,
            database,
            requester,
            draft,
            review_hours=settings.emergency_review_hours,
        )
    except InputError as error:
        return _share_page(request, database, values=values, error=error.message, status_code=422)
    return _share_page(request, database, values=values, outcome=done)


@router.post("/share/disclose", response_class=HTMLResponse)
async def share_disclose(
    request: Request, staff: SignedInStaff, settings: SettingsDep, database: DatabaseDep
) -> Response:
    form = await request.form()
    await run_in_threadpool(check_form, request, settings, database, _text(form, "csrf_token"))
    requester = requester_of(request, staff)
    # The role first, then the form: a role that may not share gets 403, not 422 (B1).
    await run_in_threadpool(disclosures.check_may_share, database, requester)
    values = _draft_values(form, staff, with_items=True)
    try:
        draft = _draft(values)
        done = await run_in_threadpool(
            disclosures.disclose,
            database,
            requester,
            draft,
            review_hours=settings.emergency_review_hours,
        )
    except InputError as error:
        return _share_page(request, database, values=values, error=error.message, status_code=422)
    if done.disclosure_id is not None:
        # Part permitted, part referred: the page of what went links the referral of the rest.
        after = f"?referral={done.referral_id}" if done.referral_id is not None else ""
        return RedirectResponse(f"/disclosures/{done.disclosure_id}{after}", status_code=303)
    if done.referral_id is not None:
        return RedirectResponse(f"/referrals/{done.referral_id}", status_code=303)
    return _share_page(request, database, values=values, outcome=done)


@router.get("/disclosures", response_class=HTMLResponse)
def disclosures_page(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    total, views = disclosures.received(database.unit_of_work(), requester_of(request, staff))
    context = {
        "active": "disclosures",
        "total": total,
        "disclosures": views,
        "organisation_code": staff.account.organisation_code,
    }
    return page_templates().TemplateResponse(request, "disclosures.html", context)


@router.get("/disclosures/{disclosure_id}", response_class=HTMLResponse)
def disclosure_page(
    request: Request,
    disclosure_id: uuid.UUID,
    staff: SignedInStaff,
    database: DatabaseDep,
    referral: Annotated[uuid.UUID | None, Query()] = None,
) -> Response:
    view = disclosures.get_disclosure(
        database.unit_of_work(), requester_of(request, staff), disclosure_id
    )
    # ``referral``: the referral of the part not yet permitted, just made with it; the
    # referral's own page checks who may see it.
    context = {"active": "disclosures", "disclosure": view, "referral_id": referral}
    return page_templates().TemplateResponse(request, "disclosure.html", context)


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    pending = referrals.list_referrals(database.unit_of_work(), requester_of(request, staff))
    tasks = emergencies.review_tasks(database.unit_of_work(), requester_of(request, staff))
    context = {
        "active": "referrals",
        "referrals": pending,
        "tasks": tasks,
        "organisation_code": staff.account.organisation_code,
        "outcomes": [o.value for o in emergencies.ReviewOutcome],
    }
    return page_templates().TemplateResponse(request, "referrals.html", context)


def _referral_page(
    request: Request,
    database: DatabaseDep,
    staff: SignedInStaff,
    referral_id: uuid.UUID,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = referrals.get_referral(
        database.unit_of_work(), requester_of(request, staff), referral_id
    )
    context = {"active": "referrals", "referral": view, "error": error}
    return page_templates().TemplateResponse(
        request, "referral.html", context, status_code=status_code
    )


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    request: Request, referral_id: uuid.UUID, staff: SignedInStaff, database: DatabaseDep
) -> Response:
    return _referral_page(request, database, staff, referral_id)


@router.post("/referrals/{referral_id}", response_class=HTMLResponse)
async def referral_decide(
    request: Request,
    referral_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
) -> Response:
    form = await request.form()
    await run_in_threadpool(check_form, request, settings, database, _text(form, "csrf_token"))
    requester = requester_of(request, staff)
    reason = _text(form, "reason")
    try:
        if _text(form, "decision") == "approve":
            done = await run_in_threadpool(
                lambda: referrals.approve(
                    database,
                    requester,
                    referral_id,
                    reason=reason,
                    review_hours=settings.emergency_review_hours,
                )
            )
            return RedirectResponse(f"/disclosures/{done.disclosure_id}", status_code=303)
        await run_in_threadpool(
            lambda: referrals.refuse_referral(database, requester, referral_id, reason=reason)
        )
    except InputError as error:
        message = error.message
        return await run_in_threadpool(
            lambda: _referral_page(
                request, database, staff, referral_id, error=message, status_code=422
            )
        )
    return RedirectResponse(f"/referrals/{referral_id}", status_code=303)


@router.post("/emergency-reviews/{task_id}", response_class=HTMLResponse)
async def emergency_review(
    request: Request,
    task_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
) -> Response:
    form = await request.form()
    await run_in_threadpool(check_form, request, settings, database, _text(form, "csrf_token"))
    requester = requester_of(request, staff)
    await run_in_threadpool(emergencies.check_may_review, database, requester)
    try:
        outcome = emergencies.ReviewOutcome(_text(form, "outcome") or "upheld")
    except ValueError:
        raise InputError("choose `upheld` or `not-upheld`", field="outcome") from None
    await run_in_threadpool(
        lambda: emergencies.complete_review(
            database,
            requester,
            task_id,
            outcome=outcome,
            notes=_text(form, "notes"),
            review_hours=settings.emergency_review_hours,
        )
    )
    return RedirectResponse("/referrals", status_code=303)
