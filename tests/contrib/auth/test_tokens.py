"""Bearer tokens: what is issued and stored, and every way a token stops working, each answered
with the same 401 problem, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import kwik.db
from kwik.contrib.auth.tokens import LAST_USED_RESOLUTION, token_digest
from kwik.db import utcnow
from kwik.signing import keyed_digest
from kwik.testing import override_settings
from tests.contrib.auth.conftest import PASSWORD
from tests.contrib.auth.helpers import bearer, login, make_user, update_user

INVALID_TOKEN = {
    "type": "urn:kwik:problem:invalid-token",
    "title": "Invalid token",
    "status": 401,
    "detail": "The bearer token is invalid, expired or revoked",
}


async def stored_tokens() -> list:
    from kwik.contrib.auth.models import AuthToken

    async with kwik.db.session() as session:
        return list(await session.scalars(select(AuthToken).order_by(AuthToken.id)))


async def set_token(token: str, **values: object) -> None:
    from kwik.contrib.auth.models import AuthToken

    async with kwik.db.session() as session:
        row = await session.scalar(select(AuthToken).where(AuthToken.digest == token_digest(token)))
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == INVALID_TOKEN


async def test_a_token_is_kwik_prefixed_and_256_random_bits(client):
    await make_user()

    first, second = await login(client), await login(client)

    assert re.fullmatch(r"kwik_[A-Za-z0-9_-]{43}", first)
    assert first != second


async def test_only_a_keyed_digest_of_the_token_is_stored(client):
    await make_user()
    token = await login(client)

    (row,) = await stored_tokens()

    assert row.digest == keyed_digest(token, "kwik.contrib.auth.token")
    assert token not in (row.digest, row.prefix)
    assert token.startswith(row.prefix)
    assert len(row.prefix) <= 12


@override_settings(AUTH_TOKEN_TTL=3600)
async def test_a_token_lasts_auth_token_ttl_seconds(client):
    await make_user()
    before = utcnow()

    response = await client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )

    (row,) = await stored_tokens()
    expected = before + timedelta(seconds=3600)
    assert expected <= row.expires_at <= expected + timedelta(seconds=5)
    assert response.json()["expires_at"] == row.expires_at.isoformat().replace("+00:00", "Z")


async def test_a_fresh_token_authenticates_its_user(client):
    await make_user()
    token = await login(client)

    response = await client.get("/auth/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"


async def test_the_bearer_scheme_is_case_insensitive(client):
    await make_user()
    token = await login(client)

    response = await client.get("/auth/me", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 200


async def test_an_expired_token_is_a_401_invalid_token(client):
    await make_user()
    token = await login(client)
    await set_token(token, expires_at=utcnow() - timedelta(seconds=1))

    assert_invalid_token(await client.get("/auth/me", headers=bearer(token)))


async def test_a_revoked_token_is_a_401_invalid_token(client):
    await make_user()
    token = await login(client)
    await set_token(token, revoked_at=utcnow())

    assert_invalid_token(await client.get("/auth/me", headers=bearer(token)))


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("kwik_short", id="too short"),
        pytest.param("kwik_" + "A" * 42 + "!", id="bad character"),
        pytest.param("nope_" + "A" * 43, id="wrong prefix"),
        pytest.param("kwik_" + "A" * 43, id="well formed but unknown"),
        pytest.param("kwik_" + "A" * 4000, id="very long"),
    ],
)
async def test_a_malformed_or_unknown_token_is_a_401_invalid_token(client, token):
    assert_invalid_token(await client.get("/auth/me", headers=bearer(token)))


async def test_a_token_of_an_inactive_user_is_a_401_invalid_token(client):
    user = await make_user()
    token = await login(client)
    await update_user(user, is_active=False)

    assert_invalid_token(await client.get("/auth/me", headers=bearer(token)))


async def test_a_token_of_a_deleted_user_is_gone_with_it(client):
    user = await make_user()
    token = await login(client)
    async with kwik.db.session() as session:
        await session.delete(await session.merge(user))

    assert_invalid_token(await client.get("/auth/me", headers=bearer(token)))
    assert await stored_tokens() == []


async def test_a_token_made_with_another_secret_key_is_refused(client):
    await make_user()
    token = await login(client)

    with override_settings(
        SECRET_KEY="another-secret-key-that-is-long-and-random-enough-0123456789"
    ):
        assert_invalid_token(await client.get("/auth/me", headers=bearer(token)))


async def test_no_credentials_is_a_401_not_authenticated_with_a_bearer_challenge(client):
    response = await client.get("/auth/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["type"] == "urn:kwik:problem:not-authenticated"


async def test_another_authorization_scheme_counts_as_no_credentials(client):
    response = await client.get("/auth/me", headers={"Authorization": "Basic YWRhOnNlY3JldA=="})

    assert response.status_code == 401
    assert response.json()["type"] == "urn:kwik:problem:not-authenticated"


async def test_using_a_token_records_when_at_most_every_few_minutes(client):
    await make_user()
    token = await login(client)
    (row,) = await stored_tokens()
    assert row.last_used_at is None

    await client.get("/auth/me", headers=bearer(token))
    (first,) = await stored_tokens()
    await client.get("/auth/me", headers=bearer(token))
    (second,) = await stored_tokens()
    await set_token(token, last_used_at=utcnow() - LAST_USED_RESOLUTION)
    await client.get("/auth/me", headers=bearer(token))
    (third,) = await stored_tokens()

    assert first.last_used_at is not None
    assert second.last_used_at == first.last_used_at
    assert third.last_used_at is not None
    assert third.last_used_at > first.last_used_at


async def test_logout_revokes_the_token_it_came_with_and_no_other(client):
    await make_user()
    phone, laptop = await login(client), await login(client)

    response = await client.post("/auth/logout", headers=bearer(phone))

    assert response.status_code == 204
    assert_invalid_token(await client.get("/auth/me", headers=bearer(phone)))
    assert (await client.get("/auth/me", headers=bearer(laptop))).status_code == 200
    revoked = [row.revoked_at is not None for row in await stored_tokens()]
    assert revoked == [True, False]


async def test_logout_without_credentials_is_a_401(client):
    response = await client.post("/auth/logout")

    assert response.status_code == 401
