"""Asking every route of the app as one principal, and what each answer was.

A principal is a staff role signed in at LTHT, the service user Amara Okafor signed in to the
portal, an LTHT API token holding every permission a token may hold, or someone not signed
in. Each route is asked once per variant ("own": records LTHT holds, or the portal user's
own; "other": records only WYP holds, or a WYP member of staff's account): GET as is; a form
POST with the principal's own valid anti-forgery token and nothing else; an API POST or PUT
with an empty JSON body. The denials the access log gained are counted around each request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi.testclient import TestClient

from infoshare.services.database import Database
from tests.support.accounts_world import PASSWORD
from tests.support.portal_world import PORTAL_EMAIL
from tests.web.matrix_world import Ids, denials
from tests.web.signing_in import form_token, https_client, sign_in

ANONYMOUS = "anonymous"
PORTAL = "portal"
TOKEN = "api-token"
STAFF_ROLES = (
    "practitioner",
    "designated-officer",
    "lead-member",
    "information-sharing-manager",
    "steering-group",
    "administrator",
    "data-protection-officer",
    "information-sharing-lead",
)
PRINCIPALS = (*STAFF_ROLES, PORTAL, TOKEN, ANONYMOUS)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PORTAL_TOKEN = re.compile(
    r'action="/portal/sign-out"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"'
)


@dataclass(frozen=True)
class Answer:
    status: int
    denials_logged: int


@contextmanager
def signed_in_as(url: str, principal: str, api_token: str) -> Iterator[tuple[TestClient, str]]:
    """A client for ``principal``, and the anti-forgery token its forms would carry."""
    with https_client(url) as client:
        if principal in STAFF_ROLES:
            assert sign_in(client, principal).status_code == 303
            token = form_token(client.get("/account").text)
        elif principal == PORTAL:
            page = client.get("/portal/sign-in")
            response = client.post(
                "/portal/sign-in",
                data={
                    "email": PORTAL_EMAIL,
                    "password": PASSWORD,
                    "csrf_token": form_token(page.text),
                },
                follow_redirects=False,
            )
            assert response.status_code == 303
            match = PORTAL_TOKEN.search(client.get("/portal").text)
            assert match is not None
            token = match.group(1)
        else:
            token = form_token(client.get("/sign-in").text)
            if principal == TOKEN:
                client.headers["Authorization"] = f"Bearer {api_token}"
        yield client, token


def path_of(template: str, ids: Ids, variant: str) -> str:
    values = ids.own if variant == "own" else ids.other
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


#: placeholders naming a record of one party: the route is asked of another party's too
PARTY_RECORDS = ("{service_user_id}", "{consent_id}", "{account_id}")


def variants_of(template: str) -> tuple[str, ...]:
    """ "own", and "other" where the route names a service user, their consent or an account."""
    of_a_party = any(placeholder in template for placeholder in PARTY_RECORDS)
    return ("own", "other") if of_a_party else ("own",)


def ask(client: TestClient, database: Database, method: str, path: str, csrf_token: str) -> Answer:
    before = denials(database)
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    elif path.startswith("/api/"):
        response = client.request(method, path, json={}, follow_redirects=False)
    else:
        response = client.request(
            method, path, data={"csrf_token": csrf_token}, follow_redirects=False
        )
    return Answer(response.status_code, denials(database) - before)
