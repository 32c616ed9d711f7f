"""CSRF checks on a project with auth and security, in process, on SQLite and PostgreSQL: which
requests need a token, which tokens pass, and what a refusal says."""

from __future__ import annotations

import httpx2
import pytest

from tests.contrib.security.csrf.conftest import CREDENTIALS
from tests.contrib.security.csrf.helpers import SAME_ORIGIN, header, log_in, page_token

MISSING = "urn:kwik:problem:csrf-token-missing"
INVALID = "urn:kwik:problem:csrf-token-invalid"
CROSS_ORIGIN = "urn:kwik:problem:csrf-cross-origin"
NOTE = {"text": "hello"}


def problem_type(response: httpx2.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["type"])


async def test_a_cookie_authenticated_post_without_a_token_is_a_403(client):
    await log_in(client)
    await page_token(client)

    response = await client.post("/site/notes", json=NOTE, headers=SAME_ORIGIN)

    assert response.status_code == 403
    assert problem_type(response) == MISSING
    assert "X-CSRF-Token" in response.json()["detail"]


async def test_a_cookie_authenticated_post_with_the_pages_token_passes(client):
    await log_in(client)
    token = await page_token(client)

    response = await client.post("/site/notes", json=NOTE, headers=header(token))

    assert response.status_code == 201
    assert response.json() == {"text": "hello", "by": "ada@example.com"}


async def test_a_cookie_authenticated_delete_needs_a_token_too(client):
    await log_in(client)
    token = await page_token(client)

    refused = await client.delete("/site/notes/1", headers=SAME_ORIGIN)
    passed = await client.delete("/site/notes/1", headers=header(token))

    assert (refused.status_code, problem_type(refused)) == (403, MISSING)
    assert passed.status_code == 204


async def test_a_token_of_another_browsers_secret_is_a_403(client, app):
    await log_in(client)
    await page_token(client)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as other:
        foreign = await page_token(other)

    response = await client.post("/site/notes", json=NOTE, headers=header(foreign))

    assert response.status_code == 403
    assert problem_type(response) == INVALID


async def test_a_token_without_the_csrf_cookie_is_a_403(client):
    await log_in(client)
    token = await page_token(client)
    client.cookies.delete("kwik_csrf")

    response = await client.post("/site/notes", json=NOTE, headers=header(token))

    assert response.status_code == 403
    assert problem_type(response) == INVALID
    assert "kwik_csrf" in response.json()["detail"]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("not-a-token", id="garbage"),
        pytest.param("A" * 86, id="right length, wrong secret"),
        pytest.param(b"\xe9" * 86, id="not ascii"),
        pytest.param("", id="empty"),
    ],
)
async def test_a_malformed_token_is_refused(client, token):
    await log_in(client)
    await page_token(client)

    response = await client.post("/site/notes", json=NOTE, headers=header(token))

    assert response.status_code == 403
    assert problem_type(response) in (INVALID, MISSING)


async def test_a_csrf_cookie_not_signed_by_the_site_is_refused(client):
    from kwik.contrib.security.csrf.tokens import mask, new_secret, sign_secret

    await log_in(client)
    secret = new_secret()
    genuine = sign_secret(secret)
    forged = genuine.rpartition(".")[0] + ".forged-signature"
    client.cookies.set("kwik_csrf", forged, domain="testserver.local")

    response = await client.post("/site/notes", json=NOTE, headers=header(mask(secret)))

    assert response.status_code == 403
    assert problem_type(response) == INVALID


async def test_the_csrf_cookie_value_echoed_in_the_header_passes(client):
    await log_in(client)
    await page_token(client)

    response = await client.post(
        "/site/notes", json=NOTE, headers=header(client.cookies["kwik_csrf"])
    )

    assert response.status_code == 201


async def test_every_render_shows_a_different_token_and_each_passes(client):
    await log_in(client)
    tokens = [await page_token(client) for _ in range(3)]

    assert len(set(tokens)) == 3
    for token in tokens:
        response = await client.post("/site/notes", json=NOTE, headers=header(token))
        assert response.status_code == 201


async def test_a_bearer_token_request_carrying_the_session_cookie_too_needs_no_csrf_token(
    client, app
):
    await log_in(client)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as api:
        token = (await api.post("/auth/login", json=CREDENTIALS)).json()["access_token"]

    response = await client.post(
        "/site/notes",
        json=NOTE,
        headers={"Authorization": f"Bearer {token}", "Origin": "https://evil.example"},
    )

    assert response.status_code == 201


async def test_a_request_with_an_api_key_header_needs_no_csrf_token(client):
    await log_in(client)

    response = await client.post("/site/anyone", headers={"X-API-Key": "kwk_key"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "browser_says",
    [
        pytest.param({"Origin": "https://evil.example"}, id="another origin"),
        pytest.param({"Origin": "http://testserver.evil.example"}, id="a look-alike host"),
        pytest.param({"Origin": "null"}, id="an opaque origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="sec-fetch-site cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site"}, id="a sibling subdomain"),
        pytest.param(
            {"Sec-Fetch-Site": "same-site", "Origin": "https://shop.testserver"},
            id="a sibling subdomain naming itself",
        ),
    ],
)
async def test_a_cross_origin_request_is_a_403_even_with_a_good_token(client, browser_says):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/notes", json=NOTE, headers={"X-CSRF-Token": token, **browser_says}
    )

    assert response.status_code == 403
    assert problem_type(response) == CROSS_ORIGIN
    assert "CSRF_TRUSTED_ORIGINS" in response.json()["detail"]


@pytest.mark.parametrize(
    "browser_says",
    [
        pytest.param({}, id="no browser headers: not a browser"),
        pytest.param({"Origin": "http://testserver"}, id="this origin"),
        pytest.param({"Origin": "https://testserver"}, id="this host over https"),
        pytest.param({"Sec-Fetch-Site": "same-origin"}, id="sec-fetch-site same-origin"),
    ],
)
async def test_a_same_origin_request_with_a_good_token_passes(client, browser_says):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/notes", json=NOTE, headers={"X-CSRF-Token": token, **browser_says}
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("csrf_settings", "origin"),
    [
        pytest.param(
            {"CSRF_TRUSTED_ORIGINS": ["https://admin.example"]},
            "https://admin.example",
            id="csrf trusted origin",
        ),
        pytest.param(
            {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
            "https://shop.example.com",
            id="wildcard subdomain",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": ["https://app.example"]},
            "https://app.example",
            id="cors allowed origin",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": [r"https://[a-z]+\.preview\.example"]},
            "https://review.preview.example",
            id="cors origin regex",
        ),
    ],
)
async def test_a_trusted_origin_with_a_good_token_passes(client, origin):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/notes",
        json=NOTE,
        headers={"X-CSRF-Token": token, "Origin": origin, "Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 201


@pytest.mark.parametrize("csrf_settings", [{"CORS_ALLOWED_ORIGINS": ["*"]}])
async def test_a_wildcard_cors_origin_trusts_nobody_for_csrf(client):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/notes", json=NOTE, headers={"X-CSRF-Token": token, "Origin": "https://evil.example"}
    )

    assert response.status_code == 403
    assert problem_type(response) == CROSS_ORIGIN


@pytest.mark.parametrize("csrf_settings", [{"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]}])
async def test_a_wildcard_trusted_origin_does_not_trust_its_parent_or_other_schemes(client):
    await log_in(client)
    token = await page_token(client)

    for origin in ("https://example.com", "http://shop.example.com", "https://evilexample.com"):
        response = await client.post(
            "/site/notes", json=NOTE, headers={"X-CSRF-Token": token, "Origin": origin}
        )
        assert response.status_code == 403, origin


async def test_a_form_post_with_the_rendered_csrf_input_passes_and_the_handler_gets_its_fields(
    client,
):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/form",
        data={"csrf_token": token, "title": "Hello", "tags": ["a", "b"]},
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"title": "Hello", "tags": ["a", "b"], "by": "ada@example.com"}


async def test_a_form_post_without_the_field_is_a_403(client):
    await log_in(client)
    await page_token(client)

    response = await client.post("/site/form", data={"title": "Hello"}, headers=SAME_ORIGIN)

    assert response.status_code == 403
    assert problem_type(response) == MISSING


async def test_a_multipart_upload_carries_its_token_in_a_field(client):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/upload",
        data={"csrf_token": token},
        files={"document": ("report.txt", b"x" * 2048, "text/plain")},
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"name": "report.txt", "size": 2048}


async def test_a_handler_reading_the_raw_body_and_form_itself_still_can(client):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/raw", data={"csrf_token": token, "title": "Hi"}, headers=SAME_ORIGIN
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"body": f"csrf_token={token}&title=Hi", "title": "Hi"}


async def test_a_multipart_form_read_only_by_the_check_reaches_the_handler(client):
    await log_in(client)
    token = await page_token(client)

    response = await client.post(
        "/site/fields",
        data={"csrf_token": token, "title": "Hi"},
        files={"attachment": ("a.txt", b"abc", "text/plain")},
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"title": "Hi", "file": "a.txt"}


async def test_an_exempt_route_is_not_checked(client):
    await log_in(client)

    response = await client.post("/site/hooks/payments", headers={"Origin": "https://evil.example"})

    assert response.status_code == 200
    assert response.json() == {"user": "ada@example.com"}


async def test_get_is_never_checked_on_a_route_that_also_takes_post(client):
    await log_in(client)
    cross_site = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}

    read = await client.get("/site/either", headers=cross_site)
    written = await client.post("/site/either", headers=cross_site)

    assert read.status_code == 200
    assert read.json() == {"method": "GET"}
    assert written.status_code == 403


async def test_a_request_without_the_session_cookie_is_not_checked(client):
    response = await client.post("/site/anyone", headers={"Origin": "https://evil.example"})

    assert response.status_code == 200
    assert response.json() == {"user": None}


@pytest.mark.parametrize("csrf_settings", [{"CSRF_PROTECTED_COOKIES": ["legacy_auth"]}])
async def test_a_cookie_named_in_csrf_protected_cookies_needs_a_token(client):
    client.cookies.set("legacy_auth", "x", domain="testserver.local")

    refused = await client.post("/site/anyone", headers=SAME_ORIGIN)
    token = await page_token(client)
    passed = await client.post("/site/anyone", headers=header(token))

    assert (refused.status_code, problem_type(refused)) == (403, MISSING)
    assert passed.status_code == 200


@pytest.mark.parametrize("csrf_settings", [{"CSRF_ENABLED": False}])
async def test_with_csrf_disabled_nothing_is_checked(client):
    await log_in(client)

    response = await client.post("/site/notes", json=NOTE)

    assert response.status_code == 201


@pytest.mark.slow
async def test_a_websocket_opened_from_another_origin_with_the_cookie_is_refused(app):
    """Security's middleware refuses it (auth, which refuses it alone, steps aside): a 403
    denial where the server can send one, else a close with 1008. Over a real socket: uvicorn
    serving the project, a real WebSocket client."""
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    from kwik.db import database
    from tests.contrib.security.csrf.helpers import make_user
    from tests.support import serve, websocket_first_message

    await make_user()
    await database().dispose()  # the server's event loop opens its own connections
    with serve(app) as base_url, httpx2.Client(base_url=base_url) as browser:
        assert browser.post("/auth/session", json=CREDENTIALS).status_code == 200
        cookies = dict(browser.cookies)
        feed = f"{base_url}/site/feed"
        first = websocket_first_message(feed, origin=base_url, cookies=cookies)
        assert first == {"user": "ada@example.com"}
        with pytest.raises((InvalidStatus, ConnectionClosed)) as refused:
            websocket_first_message(feed, origin="https://evil.example", cookies=cookies)

    if isinstance(refused.value, InvalidStatus):
        assert refused.value.response.status_code == 403
    else:
        assert refused.value.rcvd is not None
        assert refused.value.rcvd.code == 1008
