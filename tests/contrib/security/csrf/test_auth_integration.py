"""Auth with security installed: security's CSRF check replaces auth's own cross-site check,
and guards the login form (login CSRF). test_auth_alone.py shows auth's check without it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import kwik.db
from tests.contrib.security.csrf.conftest import CREDENTIALS
from tests.contrib.security.csrf.helpers import (
    SAME_ORIGIN,
    header,
    log_in,
    make_user,
    page_token,
)

CROSS_ORIGIN = "urn:kwik:problem:csrf-cross-origin"


async def stored_sessions() -> int:
    from kwik.contrib.auth.models.credentials import UserSession

    async with kwik.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(UserSession)) or 0)


@pytest.mark.parametrize(
    "browser_says",
    [
        pytest.param({"Origin": "https://evil.example"}, id="another origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="sec-fetch-site cross-site"),
        pytest.param({"Origin": "null"}, id="opaque origin"),
    ],
)
async def test_a_login_posted_from_another_site_is_refused_without_any_cookie(client, browser_says):
    await make_user()

    response = await client.post("/auth/session", json=CREDENTIALS, headers=browser_says)

    assert response.status_code == 403
    assert response.json()["type"] == CROSS_ORIGIN
    assert "kwik_session" not in client.cookies
    assert await stored_sessions() == 0


async def test_a_login_from_the_sites_own_page_needs_no_token(client):
    await make_user()

    response = await client.post("/auth/session", json=CREDENTIALS, headers=SAME_ORIGIN)

    assert response.status_code == 200
    assert await stored_sessions() == 1


async def test_logging_in_again_with_a_session_cookie_needs_the_token(client):
    await log_in(client)

    refused = await client.post("/auth/session", json=CREDENTIALS, headers=SAME_ORIGIN)
    token = await page_token(client)
    passed = await client.post("/auth/session", json=CREDENTIALS, headers=header(token))

    assert refused.status_code == 403
    assert passed.status_code == 200


async def test_a_logout_posted_from_another_site_is_refused(client):
    await log_in(client)
    token = await page_token(client)

    response = await client.delete(
        "/auth/session", headers={"X-CSRF-Token": token, "Origin": "https://evil.example"}
    )

    assert response.status_code == 403
    assert response.json()["type"] == CROSS_ORIGIN
    assert await stored_sessions() == 1


@pytest.mark.parametrize("csrf_settings", [{"CSRF_TRUSTED_ORIGINS": ["https://admin.example"]}])
async def test_a_trusted_origin_security_allows_is_not_refused_by_auth(client):
    await log_in(client)
    token = await page_token(client)
    from_admin = {"X-CSRF-Token": token, "Origin": "https://admin.example"}

    note = await client.post("/site/notes", json={"text": "x"}, headers=from_admin)
    logout = await client.delete("/auth/session", headers=from_admin)

    assert note.status_code == 201
    assert logout.status_code == 204


async def test_a_same_origin_write_without_a_token_is_refused_by_security_not_auth(client):
    await log_in(client)
    await page_token(client)

    response = await client.post("/site/notes", json={"text": "x"}, headers=SAME_ORIGIN)

    assert response.status_code == 403
    assert response.json()["type"] == "urn:kwik:problem:csrf-token-missing"
