"""Auth's endpoints end to end in process: register, login, logout, me, password change and
password reset round trips, inactive users refused everywhere, hashes upgraded on login, and no
answer that tells which emails have accounts, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import ClassVar

import httpx2
import pytest
from sqlalchemy import select

import kwik.db
from kwik.contrib.auth.passwords import FastScryptHasher
from kwik.contrib.auth.senders import MemorySender
from kwik.db import utcnow
from kwik.testing import override_settings
from tests.contrib.auth.conftest import PASSWORD
from tests.contrib.auth.helpers import (
    bearer,
    browser_login,
    login,
    make_user,
    reload,
    update_user,
)

NEW_PASSWORD = "saffron-lighthouse-orbit-77"


class StrongerFastScryptHasher(FastScryptHasher):
    """The test hasher with other parameters: hashes made before look out of date."""

    n = 2**5


class CountingHasher(FastScryptHasher):
    """The test hasher, counting its key derivations: the work behind each answer."""

    derivations: ClassVar[list[int]] = []

    def derive(self, password: bytes, salt: bytes, params: dict[str, int]) -> bytes:
        CountingHasher.derivations.append(1)
        return super().derive(password, salt, params)


COUNTING = f"{__name__}:CountingHasher"


async def derivations(send: Awaitable[httpx2.Response]) -> int:
    """How many password hashes answering the request took."""
    CountingHasher.derivations.clear()
    await send
    return len(CountingHasher.derivations)


def problem_of(response: httpx2.Response) -> tuple[int, dict[str, object]]:
    return response.status_code, response.json()


async def register(client: httpx2.AsyncClient, email: str, password: str = PASSWORD):
    return await client.post("/auth/register", json={"email": email, "password": password})


async def request_reset(client: httpx2.AsyncClient, email: str = "ada@example.com"):
    return await client.post("/auth/password-reset", json={"email": email})


async def reset_token(client: httpx2.AsyncClient, email: str = "ada@example.com") -> str:
    MemorySender.outbox.clear()
    assert (await request_reset(client, email)).status_code == 202
    (message,) = MemorySender.outbox
    return message.token


async def confirm(client: httpx2.AsyncClient, token: str, password: str = NEW_PASSWORD):
    return await client.post(
        "/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


# Registration -------------------------------------------------------------------------------


async def test_register_creates_an_account_that_can_log_in(client):
    response = await register(client, "Ada@Example.com")

    assert response.status_code == 202
    assert response.json() == {
        "detail": "Registration received: log in with your email and password."
    }
    assert (await login(client, "ada@example.com")).startswith("kwik_")


async def test_registering_a_taken_email_answers_exactly_as_a_new_one(client):
    await make_user()

    taken = await register(client, "ada@example.com", "another-fine-passphrase-9")
    new = await register(client, "bob@example.com", "another-fine-passphrase-9")

    assert (taken.status_code, taken.json()) == (new.status_code, new.json())
    assert taken.headers.keys() == new.headers.keys()
    assert (await login(client, "ada@example.com", PASSWORD)).startswith("kwik_")


async def test_registering_the_same_email_with_another_case_changes_nothing(client):
    await make_user()

    await register(client, "ADA@example.COM", "another-fine-passphrase-9")

    from kwik.contrib.auth.users import get_user_model

    async with kwik.db.session() as session:
        users = list(await session.scalars(select(get_user_model())))
    assert [user.email for user in users] == ["ada@example.com"]


async def test_a_weak_password_is_a_422_listing_every_rule_it_breaks(client):
    response = await register(client, "ada@example.com", "password")

    status, problem = problem_of(response)
    assert status == 422
    assert problem["type"] == "urn:kwik:problem:validation-error"
    errors = problem["errors"]
    assert [error["loc"] for error in errors] == [["body", "password"]] * len(errors)
    assert {error["type"] for error in errors} >= {"password_too_short", "password_too_common"}


async def test_a_weak_password_is_refused_alike_for_a_taken_email(client):
    await make_user()

    taken = await register(client, "ada@example.com", "password")
    new = await register(client, "bob@example.com", "password")

    assert problem_of(taken) == problem_of(new)


async def test_a_malformed_email_is_a_422_at_the_email(client):
    response = await register(client, "not an email")

    status, problem = problem_of(response)
    assert status == 422
    assert [error["loc"] for error in problem["errors"]] == [["body", "email"]]


async def test_unknown_fields_are_refused(client):
    response = await client.post(
        "/auth/register",
        json={"email": "ada@example.com", "password": PASSWORD, "is_superuser": True},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "is_superuser"]


@override_settings(AUTH_ALLOW_REGISTRATION=False)
async def test_registration_can_be_turned_off(client):
    response = await register(client, "ada@example.com")

    status, problem = problem_of(response)
    assert status == 403
    assert problem["type"] == "urn:kwik:problem:registration-closed"


async def test_a_very_long_password_is_refused_before_hashing(client):
    response = await register(client, "ada@example.com", "x" * 5000)

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "string_too_long"


# Login ----------------------------------------------------------------------------------------


async def test_login_answers_a_bearer_token_that_must_not_be_cached(client):
    await make_user()

    response = await client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_at"}
    assert body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"


async def test_login_finds_the_email_whatever_its_case(client):
    await make_user()

    assert (await login(client, " ADA@example.com ")).startswith("kwik_")


async def test_login_records_last_login(client):
    user = await make_user()
    before = utcnow()

    await login(client)

    last_login = (await reload(user)).last_login
    assert last_login is not None
    assert last_login >= before


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        pytest.param("ada@example.com", "wrong-password-000", True, id="wrong password"),
        pytest.param("nobody@example.com", PASSWORD, True, id="unknown email"),
        pytest.param("not an email", PASSWORD, True, id="not an email"),
        pytest.param("ada@example.com", PASSWORD, False, id="inactive user"),
    ],
)
async def test_every_failed_login_is_the_same_401(client, email, password, active):
    await make_user(is_active=active)

    response = await client.post("/auth/login", json={"email": email, "password": password})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "type": "urn:kwik:problem:invalid-credentials",
        "title": "Invalid credentials",
        "status": 401,
        "detail": "The username or password is wrong",
    }


async def test_a_failed_login_records_nothing(client):
    user = await make_user()

    await client.post("/auth/login", json={"email": "ada@example.com", "password": "nope"})

    assert (await reload(user)).last_login is None


async def test_a_user_without_a_usable_password_cannot_log_in(client):
    user = await make_user()
    await update_user(user, password="!unusable")

    response = await client.post(
        "/auth/login", json={"email": "ada@example.com", "password": "!unusable"}
    )

    assert response.status_code == 401


async def test_login_upgrades_a_hash_made_with_other_parameters(client):
    user = await make_user()
    old_hash = (await reload(user)).password
    stronger = f"{StrongerFastScryptHasher.__module__}:StrongerFastScryptHasher"

    with override_settings(PASSWORD_HASHERS=[stronger]):
        await login(client)

    new_hash = (await reload(user)).password
    assert old_hash.startswith("scrypt$n=16,")
    assert new_hash.startswith("scrypt$n=32,")
    with override_settings(PASSWORD_HASHERS=[stronger]):
        assert (await login(client)).startswith("kwik_")


async def test_a_failed_login_does_not_upgrade_the_hash(client):
    user = await make_user()
    old_hash = (await reload(user)).password
    stronger = f"{StrongerFastScryptHasher.__module__}:StrongerFastScryptHasher"

    with override_settings(PASSWORD_HASHERS=[stronger]):
        await client.post("/auth/login", json={"email": "ada@example.com", "password": "nope"})

    assert (await reload(user)).password == old_hash


# Me and logout --------------------------------------------------------------------------------


async def test_me_answers_the_user_without_the_password(client):
    await make_user(is_staff=True)
    token = await login(client)

    response = await client.get("/auth/me", headers=bearer(token))

    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    }
    assert (body["email"], body["is_staff"], body["is_superuser"]) == (
        "ada@example.com",
        True,
        False,
    )


async def test_register_login_me_logout_round_trip(client):
    assert (await register(client, "ada@example.com")).status_code == 202
    token = await login(client)
    assert (await client.get("/auth/me", headers=bearer(token))).status_code == 200

    assert (await client.post("/auth/logout", headers=bearer(token))).status_code == 204

    assert (await client.get("/auth/me", headers=bearer(token))).status_code == 401


# Password change ------------------------------------------------------------------------------


async def change(client: httpx2.AsyncClient, current: str, new: str, **headers: str):
    return await client.post(
        "/auth/password",
        json={"current_password": current, "new_password": new},
        headers=headers,
    )


async def test_changing_the_password_takes_the_current_one(client):
    await make_user()
    token = await login(client)

    response = await change(client, "wrong", NEW_PASSWORD, **bearer(token))

    status, problem = problem_of(response)
    assert status == 422
    assert problem["errors"] == [
        {
            "loc": ["body", "current_password"],
            "msg": "The current password is wrong",
            "type": "password_incorrect",
        }
    ]


async def test_a_new_password_must_pass_the_validators(client):
    await make_user()
    token = await login(client)

    response = await change(client, PASSWORD, "ada@example.com", **bearer(token))

    status, problem = problem_of(response)
    assert status == 422
    assert {error["loc"][1] for error in problem["errors"]} == {"new_password"}
    assert "password_too_similar" in {error["type"] for error in problem["errors"]}


async def test_changing_the_password_needs_authentication(client):
    response = await change(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 401


async def test_changing_the_password_ends_every_other_way_in(client):
    await make_user()
    current, other = await login(client), await login(client)
    browser = httpx2.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with browser:
        await browser_login(browser)
        pending = await reset_token(client)

        response = await change(client, PASSWORD, NEW_PASSWORD, **bearer(current))

        assert response.status_code == 204
        assert (await client.get("/auth/me", headers=bearer(current))).status_code == 200
        assert (await client.get("/auth/me", headers=bearer(other))).status_code == 401
        assert (await browser.get("/auth/me")).status_code == 401
        assert (await confirm(client, pending)).status_code == 400


async def test_after_a_change_only_the_new_password_logs_in(client):
    await make_user()
    token = await login(client)

    await change(client, PASSWORD, NEW_PASSWORD, **bearer(token))

    failed = await client.post(
        "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert failed.status_code == 401
    assert (await login(client, password=NEW_PASSWORD)).startswith("kwik_")


async def test_a_change_made_with_the_session_keeps_that_session(client):
    await make_user()
    await browser_login(client)

    response = await change(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 204
    assert (await client.get("/auth/me")).status_code == 200


# Password reset -------------------------------------------------------------------------------

RESET_ANSWER = {
    "detail": "If an active account has this email, a message with a reset token is on its way."
}


async def test_a_reset_request_sends_a_single_use_token_to_the_user(client):
    user = await make_user()
    before = utcnow()

    response = await request_reset(client, "ADA@example.com")

    assert (response.status_code, response.json()) == (202, RESET_ANSWER)
    (message,) = MemorySender.outbox
    assert message.to == "ada@example.com"
    assert message.user_id == user.id
    assert message.url == f"https://shop.example/reset?token={message.token}"
    expected = before + timedelta(seconds=3600)
    assert expected <= message.expires_at <= expected + timedelta(seconds=5)


@pytest.mark.parametrize(
    ("email", "fields"),
    [
        pytest.param("nobody@example.com", {}, id="unknown email"),
        pytest.param("not an email", {}, id="not an email"),
        pytest.param("ada@example.com", {"is_active": False}, id="inactive user"),
        pytest.param("ada@example.com", {"password": "!unusable"}, id="no usable password"),
    ],
)
async def test_a_reset_request_that_sends_nothing_answers_the_same(client, email, fields):
    user = await make_user()
    if fields:
        await update_user(user, **fields)

    response = await request_reset(client, email)

    assert (response.status_code, response.json()) == (202, RESET_ANSWER)
    assert MemorySender.outbox == []


async def test_confirming_a_reset_sets_the_password_and_revokes_everything(client):
    await make_user()
    token = await login(client)
    await browser_login(client)
    reset = await reset_token(client)

    response = await confirm(client, reset)

    assert response.status_code == 204
    assert (await client.get("/auth/me", headers=bearer(token))).status_code == 401
    assert (await client.get("/auth/me")).status_code == 401
    assert (await login(client, password=NEW_PASSWORD)).startswith("kwik_")


async def test_a_reset_token_works_once(client):
    await make_user()
    reset = await reset_token(client)
    assert (await confirm(client, reset)).status_code == 204

    response = await confirm(client, reset, "yet-another-passphrase-5")

    assert response.status_code == 400
    assert (await login(client, password=NEW_PASSWORD)).startswith("kwik_")


async def test_a_reset_spends_the_other_tokens_of_the_user(client):
    await make_user()
    first = await reset_token(client)
    second = await reset_token(client)

    assert (await confirm(client, second)).status_code == 204

    assert (await confirm(client, first, "yet-another-passphrase-5")).status_code == 400


async def test_an_expired_reset_token_is_a_400(client):
    await make_user()
    with override_settings(PASSWORD_RESET_TIMEOUT=60):
        reset = await reset_token(client)
    from kwik.contrib.auth.models import PasswordResetToken

    async with kwik.db.session() as session:
        row = await session.scalar(select(PasswordResetToken))
        assert row.expires_at <= utcnow() + timedelta(seconds=60)
        row.expires_at = utcnow() - timedelta(seconds=1)

    status, problem = problem_of(await confirm(client, reset))

    assert status == 400
    assert problem["type"] == "urn:kwik:problem:invalid-reset-token"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("x", id="short"),
        pytest.param("A" * 43, id="well formed but unknown"),
        pytest.param("A" * 42 + "!", id="bad character"),
    ],
)
async def test_a_malformed_or_unknown_reset_token_is_the_same_400(client, token):
    await make_user()
    known = await reset_token(client)
    await confirm(client, known)

    assert problem_of(await confirm(client, token)) == problem_of(await confirm(client, known))


async def test_a_reset_for_a_user_made_inactive_meanwhile_is_refused(client):
    user = await make_user()
    reset = await reset_token(client)
    await update_user(user, is_active=False)

    assert (await confirm(client, reset)).status_code == 400


async def test_a_weak_password_leaves_the_reset_token_unspent(client):
    await make_user()
    reset = await reset_token(client)

    weak = await confirm(client, reset, "123")

    assert weak.status_code == 422
    assert {error["loc"][1] for error in weak.json()["errors"]} == {"new_password"}
    assert (await confirm(client, reset)).status_code == 204


async def test_a_failing_sender_does_not_fail_the_request(client, caplog):
    await make_user()
    with override_settings(PASSWORD_RESET_SENDER=f"{__name__}:BrokenSender"):
        response = await request_reset(client)

    assert (response.status_code, response.json()) == (202, RESET_ANSWER)
    assert "failed to send a password reset" in caplog.text


class BrokenSender:
    async def send_password_reset(self, message: object) -> None:
        raise ConnectionError("mail server down")


# Same work, same time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        pytest.param("ada@example.com", "wrong-password-000", True, id="wrong password"),
        pytest.param("nobody@example.com", PASSWORD, True, id="unknown email"),
        pytest.param("not an email", PASSWORD, True, id="not an email"),
        pytest.param("ada@example.com", PASSWORD, False, id="inactive user"),
        pytest.param("ada@example.com", PASSWORD, True, id="success"),
    ],
)
async def test_every_login_takes_one_password_hash(client, email, password, active):
    with override_settings(PASSWORD_HASHERS=[COUNTING]):
        await make_user(is_active=active)
        body = {"email": email, "password": password}

        assert await derivations(client.post("/auth/login", json=body)) == 1


async def test_registering_a_taken_or_a_new_email_takes_one_password_hash(client):
    with override_settings(PASSWORD_HASHERS=[COUNTING]):
        await make_user()

        for email in ("ada@example.com", "bob@example.com"):
            body = {"email": email, "password": NEW_PASSWORD}
            assert await derivations(client.post("/auth/register", json=body)) == 1


async def test_a_reset_request_takes_no_password_hash_either_way(client):
    with override_settings(PASSWORD_HASHERS=[COUNTING]):
        await make_user()

        for email in ("ada@example.com", "bob@example.com"):
            assert await derivations(request_reset(client, email)) == 0


# Timing ---------------------------------------------------------------------------------------


async def fastest_seconds(
    client: httpx2.AsyncClient, path: str, *bodies: Callable[[int], dict[str, str]]
) -> list[float]:
    """The fastest of seven tries of each request (`bodies` make the body of try n), taken in
    turns so that noise from other processes falls on all of them alike."""
    import time

    best = [float("inf")] * len(bodies)
    for attempt in range(7):
        for index, body in enumerate(bodies):
            start = time.perf_counter()
            await client.post(path, json=body(attempt))
            best[index] = min(best[index], time.perf_counter() - start)
    return best


@pytest.mark.slow
@override_settings(PASSWORD_HASHERS=["kwik.contrib.auth.passwords:ScryptHasher"])
async def test_a_wrong_email_takes_as_long_as_a_wrong_password(client):
    await make_user()  # hashed at the real hasher's cost, like every current user

    wrong_password, wrong_email = await fastest_seconds(
        client,
        "/auth/login",
        lambda _: {"email": "ada@example.com", "password": "wrong-password-000"},
        lambda _: {"email": "nobody@example.com", "password": "wrong-password-000"},
    )

    assert wrong_password > 0.01  # a real hash was computed
    assert 0.5 < wrong_email / wrong_password < 2


@pytest.mark.slow
@override_settings(PASSWORD_HASHERS=["kwik.contrib.auth.passwords:ScryptHasher"])
async def test_registering_a_taken_email_takes_as_long_as_a_new_one(client):
    await make_user()

    taken, new = await fastest_seconds(
        client,
        "/auth/register",
        lambda _: {"email": "ada@example.com", "password": NEW_PASSWORD},
        lambda n: {"email": f"new{n}@example.com", "password": NEW_PASSWORD},
    )

    assert new > 0.01
    assert 0.5 < taken / new < 2
