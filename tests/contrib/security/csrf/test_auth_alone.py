"""Auth without security: auth's own cross-site check still protects cookie-authenticated
writes and the login form, and asks for no token (a database of its own: the apps differ)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

import kwik
from tests.contrib.security.csrf.conftest import CREDENTIALS, prepare_database, write_settings
from tests.contrib.security.csrf.helpers import SAME_ORIGIN, make_user
from tests.support import Project


@pytest.fixture
async def auth_alone(project: Project, csrf_database: str) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of the same site with auth installed and security not."""
    from kwik.asgi import get_application
    from kwik.db import database

    write_settings(
        project, csrf_database, apps=["kwik.contrib.auth", "tests.contrib.security.csrf.site"]
    )
    kwik.setup("proj.settings")
    try:
        await prepare_database(csrf_database)
        transport = httpx2.ASGITransport(app=get_application())
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await database().dispose()


async def test_a_cookie_write_from_another_site_is_refused_by_auth(auth_alone):
    await make_user()
    assert (await auth_alone.post("/auth/session", json=CREDENTIALS)).status_code == 200

    response = await auth_alone.post(
        "/site/notes", json={"text": "x"}, headers={"Origin": "https://evil.example"}
    )

    assert response.status_code == 403
    assert response.json()["type"] == "urn:kwik:problem:cross-site-request"


async def test_a_same_origin_cookie_write_needs_no_token(auth_alone):
    await make_user()
    assert (await auth_alone.post("/auth/session", json=CREDENTIALS)).status_code == 200

    response = await auth_alone.post("/site/notes", json={"text": "x"}, headers=SAME_ORIGIN)

    assert response.status_code == 201


async def test_a_login_from_another_site_is_refused(auth_alone):
    await make_user()

    response = await auth_alone.post(
        "/auth/session", json=CREDENTIALS, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    assert response.json()["type"] == "urn:kwik:problem:cross-site-request"
