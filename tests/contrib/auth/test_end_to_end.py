"""Auth over a real socket: uvicorn serving the project, httpx as the client, a bearer token and
the session cookie each carrying a user through their requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx2
import pytest

from kwik.db import database
from tests.contrib.auth.conftest import PASSWORD
from tests.support import serve

pytestmark = pytest.mark.slow

CREDENTIALS = {"email": "ada@example.com", "password": PASSWORD}


async def test_a_token_and_a_cookie_each_carry_a_user_over_http(app):
    await database().dispose()  # the server's event loop opens its own connections
    with serve(app) as base_url, httpx2.Client(base_url=base_url) as browser:
        assert browser.post("/auth/register", json=CREDENTIALS).status_code == 202

        token = browser.post("/auth/login", json=CREDENTIALS).json()["access_token"]
        api = {"Authorization": f"Bearer {token}"}
        assert browser.get("/auth/me", headers=api).json()["email"] == "ada@example.com"

        session = browser.post("/auth/session", json=CREDENTIALS)
        assert session.status_code == 200
        assert "kwik_session" in browser.cookies
        assert browser.get("/auth/me").json()["email"] == "ada@example.com"
        same_site = {"Origin": base_url, "Sec-Fetch-Site": "same-origin"}
        assert browser.post("/shop/mine", headers=same_site).status_code == 200
        other_site = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
        assert browser.post("/shop/mine", headers=other_site).status_code == 403

        assert browser.delete("/auth/session").status_code == 204
        assert "kwik_session" not in browser.cookies
        assert browser.get("/auth/me").status_code == 401

        assert browser.post("/auth/logout", headers=api).status_code == 204
        refused = browser.get("/auth/me", headers=api)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
