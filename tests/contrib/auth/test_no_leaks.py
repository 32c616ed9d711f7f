"""No password, password hash or token secret (nor a token's stored digest) appears in an
answer, a log line at any level (SQL echo on) or the OpenAPI document, across every flow;
reprs of the objects holding them leave them out too."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

import kwik.db
from kwik.contrib.auth.senders import ConsoleSender, MemorySender, PasswordResetMessage
from kwik.db import utcnow
from kwik.testing import override_settings
from tests.contrib.auth.conftest import PASSWORD
from tests.contrib.auth.helpers import bearer, make_user

NEW_PASSWORD = "saffron-lighthouse-orbit-77"
LAST_PASSWORD = "marble-tangerine-voyage-31"


@pytest.fixture
def auth_settings() -> dict[str, object]:
    return {"DATABASE_ECHO": True}  # every SQL statement is logged too


async def stored_secrets() -> set[str]:
    """Every password hash and credential digest the database holds."""
    from kwik.contrib.auth.models import AuthToken, PasswordResetToken, UserSession
    from kwik.contrib.auth.users import get_user_model

    found: set[str] = set()
    async with kwik.db.session() as session:
        found |= set(await session.scalars(select(get_user_model().password)))
        for model in (AuthToken, UserSession, PasswordResetToken):
            found |= set(await session.scalars(select(model.digest)))
    return found


class Recorder:
    """Sends requests and keeps every answer, with the secrets handed out on the way."""

    def __init__(self, client: httpx2.AsyncClient) -> None:
        self.client = client
        self.answers: list[str] = []
        self.handed_out: set[str] = set()  # tokens and cookies, given to their owner once
        self.stored: set[str] = set()  # every hash and digest the database held on the way

    async def send(self, method: str, url: str, **options: Any) -> httpx2.Response:
        response = await self.client.request(method, url, **options)
        self.answers.append(f"{response.status_code} {response.headers!r} {response.text}")
        self.stored |= await stored_secrets()
        return response

    async def flow(self) -> None:
        """Register, log in every way, use, change and reset the password, log out."""
        send = self.send
        await send("POST", "/auth/register", json={"email": "ada@example.com", "password": "x"})
        await send(
            "POST", "/auth/register", json={"email": "ada@example.com", "password": PASSWORD}
        )
        await send(
            "POST", "/auth/register", json={"email": "ada@example.com", "password": PASSWORD}
        )
        await send("POST", "/auth/login", json={"email": "ada@example.com", "password": "wrong"})
        await send("POST", "/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
        login = await send(
            "POST", "/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
        token = login.json()["access_token"]
        self.handed_out.add(token)
        await send("GET", "/auth/me", headers=bearer(token))
        await send("GET", "/auth/me", headers=bearer(token + "x"))
        await send("GET", "/shop/groups", headers=bearer(token))
        session = await send(
            "POST", "/auth/session", json={"email": "ada@example.com", "password": PASSWORD}
        )
        self.handed_out.add(session.cookies["kwik_session"])
        await send("GET", "/auth/me")
        await send(
            "POST",
            "/auth/password",
            json={"current_password": "wrong", "new_password": NEW_PASSWORD},
            headers=bearer(token),
        )
        await send(
            "POST",
            "/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(token),
        )
        await send("POST", "/auth/password-reset", json={"email": "ada@example.com"})
        await send("POST", "/auth/password-reset", json={"email": "bob@example.com"})
        reset = MemorySender.outbox[-1].token
        self.handed_out.add(reset)
        await send(
            "POST", "/auth/password-reset/confirm", json={"token": reset, "new_password": "1"}
        )
        await send(
            "POST",
            "/auth/password-reset/confirm",
            json={"token": reset, "new_password": LAST_PASSWORD},
        )
        await send(
            "POST",
            "/auth/password-reset/confirm",
            json={"token": reset, "new_password": LAST_PASSWORD},
        )
        await send("POST", "/auth/logout", headers=bearer(token))
        await send("DELETE", "/auth/session")


@pytest.fixture
async def recorded(client, caplog) -> tuple[Recorder, set[str], str]:
    """The whole flow run with every logger at DEBUG: the recorder, the hashes and digests the
    database held on the way, and the log text."""
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(client)
    await recorder.flow()
    # three password hashes, a token, a session, a reset token
    assert len(recorder.stored) >= 6
    return recorder, recorder.stored, caplog.text


PASSWORDS = (PASSWORD, NEW_PASSWORD, LAST_PASSWORD)


async def test_the_flow_logged_sql_and_requests(recorded):
    _, _, logs = recorded

    assert "INSERT INTO auth_token" in logs  # the logs were on: the assertions below mean something
    assert "SELECT" in logs


async def test_no_log_line_holds_a_password_hash_or_a_digest(recorded):
    _, stored, logs = recorded

    assert [secret for secret in stored if secret in logs] == []


async def test_no_log_line_holds_a_password_or_a_handed_out_secret(recorded):
    recorder, _, logs = recorded

    assert [p for p in PASSWORDS if p in logs] == []
    assert [secret for secret in recorder.handed_out if secret in logs] == []


async def test_no_answer_holds_a_password_hash_a_digest_or_a_password(recorded):
    recorder, stored, _ = recorded
    answers = "\n".join(recorder.answers)

    assert [secret for secret in stored if secret in answers] == []
    assert [p for p in PASSWORDS if p in answers] == []


async def test_handed_out_secrets_appear_only_in_the_answer_that_hands_them_out(recorded):
    recorder, _, _ = recorded

    for secret in recorder.handed_out:
        holding = [answer for answer in recorder.answers if secret in answer]
        assert len(holding) <= 1, holding


async def test_the_reset_token_is_in_no_answer(recorded):
    recorder, _, _ = recorded
    reset = MemorySender.outbox[-1].token

    assert not [answer for answer in recorder.answers if reset in answer]


async def test_the_openapi_document_holds_no_secret(recorded, client):
    recorder, stored, _ = recorded

    document = (await client.get("/openapi.json")).text

    assert [s for s in (*stored, *recorder.handed_out, *PASSWORDS) if s in document] == []


# The console sender and reprs -----------------------------------------------------------------


def message() -> PasswordResetMessage:
    return PasswordResetMessage(
        to="ada@example.com",
        user_id=1,
        token="reset-token-abcdefghijklmnopqrstuvwxyz0123456",
        url="https://shop.example/reset?token=reset-token-abcdefghijklmnopqrstuvwxyz0123456",
        expires_at=utcnow(),
    )


async def test_the_console_sender_prints_the_token_in_development_and_logs_nothing(
    app, capsys, caplog
):
    caplog.set_level(logging.DEBUG)

    await ConsoleSender().send_password_reset(message())

    printed = capsys.readouterr().out
    assert "Token: reset-token-abcdefghijklmnopqrstuvwxyz0123456" in printed
    assert "Link:  https://shop.example/reset?token=" in printed
    assert "reset-token" not in caplog.text


async def test_the_console_sender_prints_nothing_in_production(app, capsys, caplog):
    caplog.set_level(logging.DEBUG)

    with override_settings(DEBUG=False):
        await ConsoleSender().send_password_reset(message())

    assert capsys.readouterr().out == ""
    assert "only prints with DEBUG on" in caplog.text
    assert "reset-token" not in caplog.text


async def test_reprs_leave_secrets_out(client):
    from kwik.contrib.auth.sessions import start_session
    from kwik.contrib.auth.tokens import issue_token

    user = await make_user()
    async with kwik.db.session() as session:
        user = await session.merge(user)
        issued = await issue_token(session, user)
        started = await start_session(session, user)

    assert issued.token not in repr(issued)
    assert started.cookie not in repr(started)
    assert "reset-token" not in repr(message())
    assert user.password not in repr(user)
    assert user.password not in str(user)
