"""Sending email. This one writes to the outbox table; a real project calls its mail
provider here (an SMTP client such as aiosmtplib, or the provider's HTTP API)."""

from __future__ import annotations

import kwik.db

from .models import SentEmail


async def send_mail(account_id: int, to: str, subject: str, body: str) -> int:
    """Send one message; the id the "provider" gave it."""
    async with kwik.db.session() as session:
        message = SentEmail(account_id=account_id, to=to, subject=subject, body=body)
        session.add(message)
        await session.flush()
        return message.id
