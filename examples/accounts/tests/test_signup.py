"""Signing up, through kwik's test client: each test's rows are rolled back, jobs included."""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import Account, SentEmail
from accounts.tasks import send_welcome_email
from kwik.contrib.tasks.models import Job


async def test_signing_up_enqueues_the_welcome_email(client, db):
    response = await client.post(
        "/accounts/signup", json={"email": "ada@example.com", "name": "Ada"}
    )

    assert response.status_code == 201
    job = await db.get(Job, response.json()["welcome_job"])
    assert job is not None
    assert (job.task, job.queue, job.args) == (
        send_welcome_email.name,
        "mail",
        {"account_id": response.json()["id"]},
    )


async def test_a_refused_signup_enqueues_nothing(client, db):
    db.add(Account(email="ada@example.com", name="Ada"))
    await db.flush()

    response = await client.post(
        "/accounts/signup", json={"email": "ada@example.com", "name": "Other Ada"}
    )

    assert response.status_code == 409
    assert list(await db.scalars(select(Job))) == []


async def test_the_task_sends_the_welcome_email(db):
    account = Account(email="ada@example.com", name="Ada")
    db.add(account)
    await db.flush()

    message_id = await send_welcome_email(account.id)  # run the task directly, no worker

    sent = await db.get(SentEmail, message_id)
    assert sent is not None
    assert (sent.to, sent.subject) == ("ada@example.com", "Welcome!")
    assert "Hello Ada" in sent.body
