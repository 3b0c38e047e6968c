"""Asking "may I share?" from the operator's console, against what the database holds.

``infoshare decide FILE.json --db URL`` (Procedure A7): the request is the one
``POST /api/v1/decisions`` takes; the decision is the stored policy's (agreements in force,
staff and training, adoption) on the person's stored facts (consents, assessments,
objections, restrictions); and the question is recorded exactly as the API records it (a
``decision_requests`` row and its ``decision:asked`` ledger entry, through
``disclosures.ask``). The operator acts for the party of the member of staff named in
``requester`` (Procedure B1: a request is made on behalf of one party).

The file's ``at`` is the moment the question is about: the decision, the request and its
``decision_requests`` row (which the what-if replays) are at ``at``. The ``decision:asked``
ledger entry and any access-log line are stamped with the real clock, so an operator cannot
date an entry in the past or the future (Principle 6: the record of who asked, and when).

Before anything is decided, what the file names must exist: the member of staff, the service
user and the purpose. Each is an InputError naming the field, and nothing is recorded; the
rest (routes, agreements, categories) is left to ``decide()``, which denies with reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from infoshare.errors import InputError, NotFoundError
from infoshare.policy.access import Actor, Permission
from infoshare.services.access_log import Requester, RequesterKind
from infoshare.services.consent import form_options
from infoshare.services.database import Database
from infoshare.services.disclosures import Outcomes, RequestDraft, ask
from infoshare.services.service_users import find_by_nhs_number
from infoshare.services.staff import get_staff


def draft_of(data: Mapping[str, Any]) -> tuple[RequestDraft, datetime | None]:
    """The request in ``data`` and, if it gives one, the moment ``at`` it is asked at."""
    values = dict(data)
    at_text = values.pop("at", None)
    at: datetime | None = None
    if at_text is not None:
        try:
            at = datetime.fromisoformat(str(at_text))
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise InputError(
                f"`{at_text}` is not a moment with its time zone; write it like "
                "`2026-01-05T09:30:00+00:00`",
                field="at",
            )
    try:
        return RequestDraft.model_validate(values), at
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "request"
        raise InputError(
            f"{first['msg'][0].lower()}{first['msg'][1:]}; see docs/api.md, "
            "`POST /api/v1/decisions`",
            field=where,
        ) from None


def ask_from_console(
    db: Database,
    draft: RequestDraft,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    review_hours: int = 72,
) -> Outcomes:
    """The decision on ``draft`` at ``at`` (default now), against the database, recorded as
    asked ``now`` (the real clock, unless a test gives one)."""
    if not draft.requester:
        raise InputError(
            "name the member of staff asking (their email) in `requester`", field="requester"
        )
    try:
        staff = get_staff(db.unit_of_work(), draft.requester)
    except NotFoundError:
        raise InputError(
            f"there is no member of staff `{draft.requester}`; `infoshare account list` "
            "shows who is registered",
            field="requester",
        ) from None
    try:
        find_by_nhs_number(db.unit_of_work(), draft.nhs_number)
    except NotFoundError:
        raise InputError(
            f"no service user with NHS number `{draft.nhs_number}` is registered; "
            "register them first",
            field="nhs_number",
        ) from None
    purposes = {purpose for purpose, _ in form_options(db.unit_of_work()).purposes}
    if draft.purpose not in purposes:
        raise InputError(
            f"there is no purpose `{draft.purpose}` in the protocol; `infoshare pack show` "
            "lists them",
            field="purpose",
        )
    operator = Requester(
        RequesterKind.CONSOLE,
        "console",
        "local",
        Actor(
            staff.organisation_code,
            token_permissions=frozenset({Permission.DISCLOSURES_MAKE}),
            reference="console",
        ),
    )
    return ask(db, operator, draft, now=now, review_hours=review_hours, decide_at=at)
