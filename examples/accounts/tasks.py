"""The welcome email, sent by a worker after the signup's transaction commits."""

from __future__ import annotations

import kwik.db
from kwik.contrib.tasks import background_task

from .mail import send_mail
from .models import Account


@background_task(queue="mail", retries=5, backoff=30, timeout=20, unique=["account_id"])
async def send_welcome_email(account_id: int) -> int:
    """Welcome a new account; retried with backoff while the mail provider fails, sent once
    per account however many times it is enqueued while waiting."""
    async with kwik.db.session() as session:
        account = await session.get(Account, account_id)
    if account is None:
        return 0  # the account was deleted before the email went out
    return await send_mail(
        account.id,
        account.email,
        subject="Welcome!",
        body=f"Hello {account.name}, thanks for signing up.",
    )
