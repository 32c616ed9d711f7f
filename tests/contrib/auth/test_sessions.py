"""Browser sessions: the cookie's attributes, what is stored, logging in and out, expiry, inactive
users, and refusing cookie-authenticated writes from other sites, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx2
import pytest
from sqlalchemy import select

import kwik.db
from kwik.db import utcnow
from kwik.signing import Signer, keyed_digest
from kwik.testing import override_settings
from tests.contrib.auth.conftest import PASSWORD
from tests.contrib.auth.helpers import bearer, browser_login, login, make_user, update_user

CREDENTIALS = {"email": "ada@example.com", "password": PASSWORD}


async def stored_sessions() -> list:
    from kwik.contrib.auth.models import UserSession

    async with kwik.db.session() as session:
        return list(await session.scalars(select(UserSession).order_by(UserSession.id)))


def cookie_attributes(response: httpx2.Response) -> dict[str, str]:
    header = response.headers["set-cookie"]
    name_value, *attributes = [part.strip() for part in header.split(";")]
    found = {"name": name_value.partition("=")[0], "value": name_value.partition("=")[2]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        found[key.lower()] = value
    return found


async def test_logging_in_sets_an_httponly_samesite_cookie_for_the_whole_site(client):
    await make_user()

    response = await browser_login(client)

    cookie = cookie_attributes(response)
    assert cookie["name"] == "kwik_session"
    assert "httponly" in cookie
    assert cookie["samesite"] == "lax"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == str(14 * 24 * 3600)
    assert "secure" not in cookie  # plain http here
    assert response.headers["cache-control"] == "no-store"


async def test_the_answer_names_the_user_and_when_the_session_ends(client):
    await make_user()

    body = (await browser_login(client)).json()

    (row,) = await stored_sessions()
    assert body["user"]["email"] == "ada@example.com"
    assert body["expires_at"] == row.expires_at.isoformat().replace("+00:00", "Z")
    assert "password" not in body["user"]


async def test_the_cookie_is_secure_over_https(app):
    await make_user()
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await client.post("/auth/session", json=CREDENTIALS)

    assert "secure" in cookie_attributes(response)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        pytest.param({"AUTH_SESSION_COOKIE_SECURE": True}, {"secure": ""}, id="secure forced"),
        pytest.param(
            {"AUTH_SESSION_COOKIE_SAMESITE": "strict"}, {"samesite": "strict"}, id="strict"
        ),
        pytest.param(
            {"AUTH_SESSION_COOKIE_SAMESITE": "none"},
            {"samesite": "none", "secure": ""},
            id="none is always secure",
        ),
        pytest.param({"AUTH_SESSION_TTL": 600}, {"max-age": "600"}, id="ttl"),
        pytest.param({"AUTH_SESSION_COOKIE_NAME": "sid"}, {"name": "sid"}, id="name"),
    ],
)
async def test_the_cookie_follows_the_settings(client, settings, expected):
    await make_user()

    with override_settings(**settings):
        response = await browser_login(client)

    cookie = cookie_attributes(response)
    assert {key: cookie.get(key) for key in expected} == expected


async def test_the_cookie_is_a_signed_random_key_and_only_its_digest_is_stored(client):
    await make_user()

    cookie = cookie_attributes(await browser_login(client))["value"]

    key = Signer("kwik.contrib.auth.session").unsign(cookie)
    (row,) = await stored_sessions()
    assert len(key) == 43
    assert row.digest == keyed_digest(key, "kwik.contrib.auth.session")
    assert key not in row.digest


async def test_the_session_cookie_authenticates_requests(client):
    await make_user()
    await browser_login(client)

    response = await client.get("/auth/me")

    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"


def _flip(text: str, index: int) -> str:
    """`text` with the character at `index` changed. The first character after the `.` is used
    for the signature: every bit of it counts, where the last base64 character's low bits don't,
    and changing those would leave the decoded signature as it was."""
    return text[:index] + ("B" if text[index] == "A" else "A") + text[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda c: _flip(c, c.rindex(".") + 1), id="signature"),
        pytest.param(lambda c: _flip(c, 0), id="key"),
        pytest.param(lambda c: c.partition(".")[0], id="unsigned"),
        pytest.param(lambda c: Signer("another.purpose").sign(c.partition(".")[0]), id="purpose"),
    ],
)
async def test_a_tampered_cookie_counts_as_no_cookie(client, tamper):
    await make_user()
    cookie = cookie_attributes(await browser_login(client))["value"]
    client.cookies.clear()

    client.cookies.set("kwik_session", tamper(cookie))

    assert (await client.get("/shop/public")).json() == {"user": None}
    response = await client.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["type"] == "urn:kwik:problem:not-authenticated"


async def test_delete_session_logs_out_and_the_old_cookie_is_worthless(client):
    await make_user()
    cookie = cookie_attributes(await browser_login(client))["value"]

    response = await client.delete("/auth/session")

    assert response.status_code == 204
    cleared = cookie_attributes(response)
    assert (cleared["name"], cleared["value"].strip('"'), cleared["max-age"]) == (
        "kwik_session",
        "",
        "0",
    )
    assert await stored_sessions() == []
    client.cookies.clear()
    client.cookies.set("kwik_session", cookie)  # a copy kept by someone
    assert (await client.get("/auth/me")).status_code == 401


async def test_delete_session_without_a_session_just_clears_the_cookie(client):
    response = await client.delete("/auth/session")

    assert response.status_code == 204
    assert cookie_attributes(response)["max-age"] == "0"


async def test_logout_with_the_cookie_ends_the_session_too(client):
    await make_user()
    await browser_login(client)

    response = await client.post("/auth/logout")

    assert response.status_code == 204
    assert cookie_attributes(response)["max-age"] == "0"
    assert await stored_sessions() == []


async def test_logging_in_again_ends_the_session_the_browser_had(client):
    await make_user()
    first = cookie_attributes(await browser_login(client))["value"]

    second = cookie_attributes(await browser_login(client))["value"]

    assert first != second
    assert len(await stored_sessions()) == 1
    client.cookies.clear()
    client.cookies.set("kwik_session", first)
    assert (await client.get("/auth/me")).status_code == 401


async def test_an_expired_session_is_refused_and_its_row_removed(client):
    from kwik.contrib.auth.models import UserSession

    await make_user()
    await browser_login(client)
    async with kwik.db.session() as session:
        row = await session.scalar(select(UserSession))
        row.expires_at = utcnow() - timedelta(seconds=1)

    assert (await client.get("/shop/public")).json() == {"user": None}
    assert await stored_sessions() == []


async def test_a_session_of_an_inactive_user_is_refused(client):
    user = await make_user()
    await browser_login(client)
    await update_user(user, is_active=False)

    assert (await client.get("/auth/me")).status_code == 401
    assert (await client.get("/shop/public")).json() == {"user": None}


async def test_an_inactive_user_cannot_start_a_session(client):
    await make_user(is_active=False)

    response = await client.post("/auth/session", json=CREDENTIALS)

    assert response.status_code == 401
    assert "set-cookie" not in response.headers


async def test_a_bearer_token_wins_over_the_cookie(client):
    await make_user()
    await make_user("bob@example.com")
    await browser_login(client)
    token = await login(client, "bob@example.com")

    response = await client.get("/auth/me", headers=bearer(token))

    assert response.json()["email"] == "bob@example.com"


async def test_an_invalid_bearer_token_is_refused_even_with_a_good_cookie(client):
    await make_user()
    await browser_login(client)

    response = await client.get("/auth/me", headers=bearer("kwik_" + "A" * 43))

    assert response.status_code == 401
    assert response.json()["type"] == "urn:kwik:problem:invalid-token"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="sec-fetch-site cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site"}, id="sec-fetch-site sibling subdomain"),
        pytest.param({"Origin": "https://evil.example"}, id="origin elsewhere"),
        pytest.param({"Origin": "null"}, id="opaque origin"),
    ],
)
async def test_a_cookie_authenticated_write_from_another_site_is_a_403(client, headers):
    await make_user()
    await browser_login(client)

    response = await client.post("/shop/mine", headers=headers)

    assert response.status_code == 403
    assert response.json()["type"] == "urn:kwik:problem:cross-site-request"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no browser headers"),
        pytest.param({"Sec-Fetch-Site": "same-origin"}, id="sec-fetch-site same-origin"),
        pytest.param({"Sec-Fetch-Site": "none"}, id="typed by the user"),
        pytest.param({"Origin": "http://testserver"}, id="same origin"),
    ],
)
async def test_a_cookie_authenticated_write_from_the_site_itself_passes(client, headers):
    await make_user()
    await browser_login(client)

    response = await client.post("/shop/mine", headers=headers)

    assert response.status_code == 200


async def test_a_cookie_authenticated_read_from_another_site_passes(client):
    await make_user()
    await browser_login(client)

    response = await client.get("/shop/mine", headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 200


async def test_a_token_authenticated_write_is_not_subject_to_the_site_check(client):
    await make_user()
    token = await login(client)

    response = await client.post(
        "/shop/mine", headers={**bearer(token), "Origin": "https://app.example"}
    )

    assert response.status_code == 200


async def test_a_login_form_posted_from_another_site_is_a_403(client):
    await make_user()

    response = await client.post(
        "/auth/session", json=CREDENTIALS, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    assert await stored_sessions() == []


async def test_delete_session_ends_the_session_of_an_inactive_user_too(client):
    user = await make_user()
    await browser_login(client)
    await update_user(user, is_active=False)

    assert (await client.delete("/auth/session")).status_code == 204

    assert await stored_sessions() == []


@pytest.mark.slow
async def test_a_websocket_opened_from_another_site_with_the_cookie_is_refused(app):
    """Over a real socket: uvicorn serving the project, a real WebSocket client."""
    from websockets.exceptions import InvalidStatus

    from kwik.db import database
    from tests.support import serve, websocket_first_message

    await make_user()
    await database().dispose()  # the server's event loop opens its own connections
    with serve(app) as base_url, httpx2.Client(base_url=base_url) as browser:
        assert browser.post("/auth/session", json=CREDENTIALS).status_code == 200
        cookies = dict(browser.cookies)
        feed = f"{base_url}/shop/feed"
        first = websocket_first_message(feed, origin=base_url, cookies=cookies)
        assert first == {"user": "ada@example.com"}
        with pytest.raises(InvalidStatus) as refused:
            websocket_first_message(feed, origin="https://evil.example", cookies=cookies)

    assert refused.value.response.status_code == 403
    problem = json.loads(refused.value.response.body or b"{}")
    assert problem["type"] == "urn:kwik:problem:cross-site-request"
