"""Installing security limits auth's password-guessing endpoints with no setting written
(RATE_LIMIT_ROUTES' defaults), here counted in the project's database (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

WRONG = {"email": "ada@example.com", "password": "not-the-password-at-all"}


@pytest.fixture
def project_settings() -> dict[str, object]:
    return {"RATE_LIMIT_BACKEND": "database"}


async def posts(client, path: str, times: int, body: dict[str, str]) -> list[int]:
    return [(await client.post(path, json=body)).status_code for _ in range(times)]


async def test_the_eleventh_login_attempt_in_a_minute_is_refused(client_at):
    guesser = client_at("198.51.100.7")
    assert await posts(guesser, "/auth/login", 10, WRONG) == [401] * 10
    refused = await guesser.post("/auth/login", json=WRONG)
    assert refused.status_code == 429
    assert refused.json()["violated-policies"] == ["ip:10/minute"]
    assert int(refused.headers["retry-after"]) == 6


async def test_other_addresses_still_log_in_while_one_is_refused(client_at):
    guesser, someone = client_at("198.51.100.7"), client_at("198.51.100.8")
    await posts(guesser, "/auth/login", 11, WRONG)
    assert await posts(someone, "/auth/login", 1, WRONG) == [401]


async def test_session_login_counts_apart_from_token_login(client_at):
    guesser = client_at("198.51.100.7")
    await posts(guesser, "/auth/login", 11, WRONG)
    assert await posts(guesser, "/auth/session", 10, WRONG) == [401] * 10
    assert await posts(guesser, "/auth/session", 1, WRONG) == [429]


async def test_registration_and_password_resets_are_limited_too(client_at):
    client = client_at()
    registrations = [
        (await client.post("/auth/register", json={**WRONG, "email": f"u{n}@example.com"}))
        for n in range(6)
    ]
    assert [r.status_code for r in registrations] == [202] * 5 + [429]
    reset = {"email": "ada@example.com"}
    assert await posts(client, "/auth/password-reset", 6, reset) == [202] * 5 + [429]


@pytest.mark.parametrize(
    "project_settings", [{"RATE_LIMIT_BACKEND": "database", "RATE_LIMIT_ROUTES": {}}]
)
async def test_an_empty_rate_limit_routes_removes_the_defaults(client_at):
    assert await posts(client_at(), "/auth/login", 12, WRONG) == [401] * 12
