"""``/api/v1/contacts``: the directory of staff with specific roles (Procedure A6).

The directory names staff and how to reach them directly, so it is for partners, not the
public: every route needs an API token. Changing someone's contact details also needs
``agreements:manage`` at their party (the service decides and logs refusals).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services import contacts
from infoshare.services.contacts import ContactEntry

router = APIRouter(tags=["contacts"])


class ContactDetailsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    telephone: str | None = None
    secure_email: str | None = None
    hours: str | None = None


@router.get(
    "/contacts",
    response_model=list[ContactEntry],
    summary="Staff with specific roles at each partner, and how to reach them (A6)",
    responses=problem_responses(401, 422),
)
def contacts_directory(
    _caller: ApiCaller,
    uow: UnitOfWorkDep,
    organisation: Annotated[str | None, Query(description="an organisation code")] = None,
    role: Annotated[str | None, Query(description="one of the directory's roles")] = None,
) -> list[ContactEntry]:
    return contacts.contacts_directory(uow, organisation=organisation, role=role)


@router.get(
    "/organisations/{code}/designated-officers",
    response_model=list[ContactEntry],
    tags=["organisations"],
    summary="A party's designated officers, to whom referrals go (Procedures A5, A6)",
    responses=problem_responses(401, 422),
)
def designated_officers(code: str, _caller: ApiCaller, uow: UnitOfWorkDep) -> list[ContactEntry]:
    return contacts.designated_officers(uow, code)


@router.put(
    "/contacts/{email}",
    response_model=ContactEntry,
    summary="Set how to reach a member of staff with a directory role",
    responses=problem_responses(401, 403, 422),
)
def set_contact_details(
    email: str, body: ContactDetailsIn, caller: ApiCaller, uow: UnitOfWorkDep
) -> ContactEntry:
    return contacts.set_contact_details(
        uow,
        email,
        telephone=body.telephone,
        secure_email=body.secure_email,
        hours=body.hours,
        requester=caller,
    )
