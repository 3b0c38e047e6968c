"""A service user's objections and restrictions on the web: see them, record one, end one.

Principle 5 (the person's objection to sharing raises the bar, as a refusal does) and
Principle 4 (a restriction withholds what it names whatever the basis). Every page needs a
signed-in member of staff; the service decides who may record (only for their own party) and
logs every read (Procedure B1). Forms carry the anti-forgery token and work without
JavaScript; bad input shows the page again with what to correct, and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import InputError
from infoshare.services.access_log import Requester
from infoshare.services.consent import form_options
from infoshare.services.consent_access import check_may_record
from infoshare.services.objections import (
    EndDraft,
    ObjectionDraft,
    RestrictionGround,
    end_objection,
    objections_of,
    record_objection,
)
from infoshare.web.account_pages import check_form
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.form_time import form_moment, now_local
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

#: the fields of the form to record one, as posted
_FIELDS = ("kind", "note", "ground", "stated_at", "until")
_LISTS = ("recipients", "purposes", "data_categories")


def _message(error: InputError | ValidationError) -> str:
    if isinstance(error, InputError):
        return error.message
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"`{where}`: {first['msg'].lower()}"


def _page(
    request: Request,
    database: DatabaseDep,
    requester: Requester,
    service_user_id: uuid.UUID,
    *,
    values: Mapping[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    subject = objections_of(
        database.unit_of_work(),
        service_user_id,
        requester=requester,
        why="opened the objections and restrictions page",
    )
    shown = dict(values or {"kind": "objection", "stated_at": now_local()})
    context = {
        "subject": subject,
        "values": shown,
        "options": form_options(database.unit_of_work()),
        "grounds": [str(g) for g in RestrictionGround],
        "now": now_local(),
        "error": error,
        "active": "service-users",
    }
    return page_templates().TemplateResponse(
        request, "objections.html", context, status_code=status
    )


@router.get(
    "/service-users/{service_user_id}/objections", response_class=HTMLResponse, name="objections"
)
def objections_page(
    request: Request, staff: SignedInStaff, database: DatabaseDep, service_user_id: uuid.UUID
) -> Response:
    return _page(request, database, requester_of(request, staff), service_user_id)


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {key: str(form.get(key) or "").strip() for key in _FIELDS}
    values |= {key: [str(v) for v in form.getlist(key)] for key in _LISTS}
    return values


@router.post("/service-users/{service_user_id}/objections", response_class=HTMLResponse)
async def record_submit(
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
    values = _values(form)
    requester = requester_of(request, staff)
    # The role first, then the form: a role that may not record gets 403, not 422 (B1).
    await run_in_threadpool(
        lambda: check_may_record(database.unit_of_work(), requester, what="objection")
    )

    def record() -> None:
        subject = objections_of(
            database.unit_of_work(), service_user_id, requester=requester,
            why="recorded an objection or restriction",
        )  # fmt: skip
        draft = ObjectionDraft.model_validate(
            {
                "nhs_number": subject.nhs_number,
                "kind": values["kind"] or "objection",
                "recipients": values["recipients"],
                "purposes": values["purposes"],
                "data_categories": values["data_categories"],
                "note": values["note"],
                "ground": values["ground"] or None,
                "stated_at": form_moment(values["stated_at"], "stated_at"),
                "until": form_moment(values["until"], "until"),
                "recorded_by": staff.account.name,
                "recorded_by_organisation": staff.account.organisation_code,
            }
        )
        record_objection(database.unit_of_work(), draft, requester=requester)

    try:
        await run_in_threadpool(record)
    except (InputError, ValidationError) as error:
        message = _message(error)
        return await run_in_threadpool(
            lambda: _page(
                request,
                database,
                requester,
                service_user_id,
                values=values,
                error=message,
                status=422,
            )
        )
    return RedirectResponse(f"/service-users/{service_user_id}/objections", status_code=303)


@router.post("/objections/{objection_id}/end", response_class=HTMLResponse)
async def end_submit(
    request: Request,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    objection_id: uuid.UUID,
) -> Response:
    form = await request.form()
    await run_in_threadpool(
        check_form, request, settings, database, str(form.get("csrf_token") or "")
    )
    requester = requester_of(request, staff)
    await run_in_threadpool(
        lambda: check_may_record(database.unit_of_work(), requester, what="end of an objection")
    )
    person = str(form.get("service_user_id") or "")

    def end() -> uuid.UUID:
        draft = EndDraft.model_validate(
            {
                "at": form_moment(str(form.get("at") or ""), "at"),
                "reason": str(form.get("reason") or "").strip(),
                "recorded_by": staff.account.name,
                "recorded_by_organisation": staff.account.organisation_code,
            }
        )
        view = end_objection(database.unit_of_work(), objection_id, draft, requester=requester)
        return view.service_user_id

    try:
        service_user_id = await run_in_threadpool(end)
    except (InputError, ValidationError) as error:
        message = _message(error)
        try:
            shown = uuid.UUID(person)
        except ValueError:
            raise InputError(
                "the form lost which service user it was for; open their page again",
                field="service_user_id",
            ) from None
        return await run_in_threadpool(
            lambda: _page(request, database, requester, shown, error=message, status=422)
        )
    return RedirectResponse(f"/service-users/{service_user_id}/objections", status_code=303)
