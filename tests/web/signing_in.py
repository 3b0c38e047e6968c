"""Helpers for the page tests: a client over HTTPS (the cookies are Secure), and signing in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from httpx import Response

from tests.api.running_app import app_for
from tests.support.accounts_world import PASSWORD, PEOPLE, code_at

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@contextmanager
def https_client(url: str) -> Iterator[TestClient]:
    # Secure cookies go back only over HTTPS, as a browser would send them.
    with TestClient(app_for(url), base_url="https://testserver") as client:
        yield client


def form_token(html: str) -> str:
    match = CSRF.search(html)
    assert match is not None, "the page has no form token"
    return match.group(1)


def sign_in(client: TestClient, who: str, password: str = PASSWORD) -> Response:
    """Sign ``who`` (a key of PEOPLE) in, passing the second factor if their account has one."""
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": PEOPLE[who].email,
            "password": password,
            "csrf_token": form_token(page.text),
        },
        follow_redirects=False,
    )
    if PEOPLE[who].second_factor and response.status_code == 303:
        assert response.headers["location"] == "/sign-in/second-factor"
        page = client.get("/sign-in/second-factor")
        response = client.post(
            "/sign-in/second-factor",
            data={"code": code_at(datetime.now(UTC)), "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
    return response
