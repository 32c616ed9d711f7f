"""The CSRF cookie and where a client gets a token: the rendered page, `GET /security/csrf`,
and the cookie's attributes."""

from __future__ import annotations

import httpx2
import pytest

from tests.contrib.security.csrf.helpers import header, log_in, page_token


def csrf_set_cookies(response: httpx2.Response) -> list[str]:
    return [v for v in response.headers.get_list("set-cookie") if v.startswith("kwik_csrf=")]


async def test_the_first_page_sets_the_csrf_cookie_for_scripts_to_read_and_lax(client):
    response = await client.get("/site/form")

    [cookie] = csrf_set_cookies(response)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert "httponly" not in attributes
    assert "secure" not in attributes  # plain http
    assert "max-age=31536000" in attributes


async def test_a_page_with_two_tokens_sets_one_cookie(client):
    response = await client.get("/site/form")

    assert len(csrf_set_cookies(response)) == 1
    assert response.text.count(client.cookies["kwik_csrf"]) == 0  # the page shows masked tokens


async def test_a_browser_with_the_cookie_keeps_it(client):
    await client.get("/site/form")

    again = await client.get("/site/form")

    assert csrf_set_cookies(again) == []


async def test_a_forged_cookie_is_replaced(client):
    client.cookies.set("kwik_csrf", "forged.value", domain="testserver.local")

    response = await client.get("/site/form")

    assert len(csrf_set_cookies(response)) == 1


async def test_the_cookie_is_secure_over_https(app):
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await client.get("/site/form")

    [cookie] = csrf_set_cookies(response)
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


@pytest.mark.parametrize("csrf_settings", [{"CSRF_COOKIE_SECURE": True}])
async def test_csrf_cookie_secure_forces_the_attribute_over_http(client):

    response = await client.get("/site/form")

    [cookie] = csrf_set_cookies(response)
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_get_security_csrf_gives_a_script_a_token_for_the_header(client):
    await log_in(client)

    answer = await client.get("/security/csrf")

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json()["header"] == "X-CSRF-Token"
    assert answer.json()["field"] == "csrf_token"
    assert len(csrf_set_cookies(answer)) == 1
    response = await client.post(
        "/site/notes", json={"text": "x"}, headers=header(answer.json()["token"])
    )
    assert response.status_code == 201


async def test_a_token_from_the_endpoint_and_one_from_a_page_share_the_cookie(client):
    await log_in(client)
    from_page = await page_token(client)

    from_endpoint = (await client.get("/security/csrf")).json()["token"]

    assert from_page != from_endpoint
    for token in (from_page, from_endpoint):
        response = await client.post("/site/notes", json={"text": "x"}, headers=header(token))
        assert response.status_code == 201


async def test_a_refused_request_sets_no_cookie(client):
    await log_in(client)

    response = await client.post("/site/notes", json={"text": "x"})

    assert response.status_code == 403
    assert csrf_set_cookies(response) == []
