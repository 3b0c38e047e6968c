"""``/api/v1/objections``: a service user's objections to sharing and restrictions on
disclosure (Principles 4 and 5), recorded, listed and ended.

An objection (``kind: objection``) raises the bar as a refusal does: only a statutory ground
a designated officer approves overrides it. A restriction (``kind: restriction``) withholds
the categories it names whatever the basis. Both apply to the very next decision
(``POST /api/v1/decisions``, ``/disclosures``). The rules and the access control are the
service's (``infoshare.services.objections``): recording and ending need ``consent:record``
for the token's own party, listing needs ``service-users:read`` over a person the party holds
(logged; another party's person is 404); bad input is a 422 naming the field, and nothing is
stored. Ending is a record of its own: the history is never rewritten.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services.objections import (
    EndDraft,
    ObjectionDraft,
    ObjectionView,
    end_objection,
    list_objections,
    record_objection,
)

router = APIRouter(tags=["consent"])


@router.post(
    "/objections",
    response_model=ObjectionView,
    status_code=status.HTTP_201_CREATED,
    summary="Record an objection to sharing (Principle 5) or a restriction (Principle 4)",
    responses=problem_responses(401, 403, 422, 503),
)
def create_objection(draft: ObjectionDraft, uow: UnitOfWorkDep, caller: ApiCaller) -> ObjectionView:
    """Scope by `recipients`, `purposes` and `data_categories` (empty: any). A restriction
    needs its `data_categories`, `ground` and reason (`note`); an objection has no `ground`
    or `until`. 422 naming the field for an unregistered NHS number, a name outside the
    protocol, a `stated_at` in the future; 403 recording for another party."""
    return record_objection(uow, draft, requester=caller)


@router.get(
    "/objections",
    response_model=list[ObjectionView],
    summary="A service user's objections and restrictions, ended ones too, oldest first",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_objections(
    uow: UnitOfWorkDep,
    caller: ApiCaller,
    nhs_number: str = Query(description="the service user's NHS number"),
) -> list[ObjectionView]:
    """Each with `in_force` now and its end, if any. The read is logged."""
    return list_objections(uow, nhs_number, requester=caller, why="listed through the API")


@router.post(
    "/objections/{objection_id}/end",
    response_model=ObjectionView,
    summary="Lift an objection or end a restriction from a moment on; the past is kept",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def end(
    objection_id: uuid.UUID, draft: EndDraft, uow: UnitOfWorkDep, caller: ApiCaller
) -> ObjectionView:
    """Recorded once: ending again is a 409. A restriction is ended only by the party that
    recorded it (403 otherwise); an end before the record or in the future is a 422."""
    return end_objection(uow, objection_id, draft, requester=caller)
