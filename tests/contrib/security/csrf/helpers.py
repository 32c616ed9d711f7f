"""Arranging users, sessions and tokens for the CSRF tests, through public APIs."""

from __future__ import annotations

import re
from typing import Any

import httpx2

import kwik.db
from kwik.contrib.auth.users import get_user_model
from tests.contrib.security.csrf.conftest import CREDENTIALS, PASSWORD

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


async def make_user(email: str = "ada@example.com", password: str = PASSWORD) -> Any:
    """A user stored (and committed) with `password`."""
    user = get_user_model()(email=email)
    await user.set_password(password)
    async with kwik.db.session() as session:
        session.add(user)
    return user


async def log_in(client: httpx2.AsyncClient) -> None:
    """A browser session for a new user: the client keeps the session cookie."""
    await make_user()
    response = await client.post("/auth/session", json=CREDENTIALS)
    assert response.status_code == 200, response.text


async def page_token(client: httpx2.AsyncClient) -> str:
    """The token of the hidden input on the rendered form page (the client keeps its cookie)."""
    page = await client.get("/site/form")
    assert page.status_code == 200, page.text
    found = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', page.text)
    assert found is not None, page.text
    return found.group(1)


def header(token: str) -> dict[str, str]:
    return {"X-CSRF-Token": token, **SAME_ORIGIN}
