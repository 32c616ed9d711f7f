"""How a password-reset token reaches its user: a one-method protocol and two senders.

The reset endpoint never answers with the token (that would let anyone reset anyone's
password); it hands a `PasswordResetMessage` to the sender that `PASSWORD_RESET_SENDER` names,
after the response is sent, so a slow mail server neither delays the answer nor tells a caller,
by its timing, that the address has an account.

Write your own for production: an object with `async def send_password_reset(message)`.

Example (`shop/mail.py`, then `PASSWORD_RESET_SENDER = "shop.mail:MailSender"`):
    class MailSender:
        async def send_password_reset(self, message: PasswordResetMessage) -> None:
            await smtp.send(
                to=message.to,
                subject="Reset your password",
                body=f"Follow {message.url or message.token} within the hour.",
            )
"""

from __future__ import annotations

import functools
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from kwik.exceptions import ImproperlyConfigured
from kwik.imports import import_string

__all__ = [
    "ConsoleSender",
    "MemorySender",
    "PasswordResetMessage",
    "PasswordResetSender",
    "get_password_reset_sender",
]

logger = logging.getLogger("kwik.contrib.auth")


@dataclass(frozen=True, slots=True)
class PasswordResetMessage:
    """What a sender delivers. `token` (and `url`, which contains it) are secrets: they are
    left out of the repr, so logging a message by accident doesn't leak them."""

    to: str
    """The user's email address (or their USERNAME_FIELD value when the model has no email)."""
    user_id: Any
    token: str = field(repr=False)
    url: str | None = field(repr=False)
    """PASSWORD_RESET_URL with the token filled in; None when that setting is unset."""
    expires_at: datetime


@runtime_checkable
class PasswordResetSender(Protocol):
    """Delivers password-reset messages. It runs after the response is sent; an exception it
    raises is logged (without the token) and does not reach the client."""

    async def send_password_reset(self, message: PasswordResetMessage) -> None: ...


class ConsoleSender:
    """For development: prints the message on standard output.

    With DEBUG off it prints nothing (a token in a production log is a password waiting to be
    reset) and logs a warning saying to configure a real sender. The token never goes through
    the logging system.
    """

    async def send_password_reset(self, message: PasswordResetMessage) -> None:
        from kwik.conf import settings

        if not settings.DEBUG:
            logger.warning(
                "A password reset was requested, but PASSWORD_RESET_SENDER is the ConsoleSender, "
                "which only prints with DEBUG on; set PASSWORD_RESET_SENDER to a sender that "
                "delivers messages"
            )
            return
        lines = [
            "-" * 72,
            f"Password reset for {message.to} (valid until {message.expires_at:%Y-%m-%d %H:%M} "
            "UTC)",
            f"Token: {message.token}",
        ]
        if message.url:
            lines.append(f"Link:  {message.url}")
        lines.append("-" * 72)
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()


class MemorySender:
    """Keeps every message in `MemorySender.outbox`, a list shared by all instances, for tests.

    Process memory only: use it in your own tests as Django's `mail.outbox`, never in
    production.

    Example:
        @override_settings(PASSWORD_RESET_SENDER="kwik.contrib.auth.senders:MemorySender")
        async def test_reset(client):
            MemorySender.outbox.clear()
            await client.post("/auth/password-reset", json={"email": "ada@example.com"})
            token = MemorySender.outbox[-1].token
    """

    outbox: ClassVar[list[PasswordResetMessage]] = []

    async def send_password_reset(self, message: PasswordResetMessage) -> None:
        MemorySender.outbox.append(message)


@functools.lru_cache(maxsize=8)
def _load(path: str) -> PasswordResetSender:
    target = import_string(path, setting="PASSWORD_RESET_SENDER")
    sender = target() if isinstance(target, type) else target
    if not isinstance(sender, PasswordResetSender):
        raise ImproperlyConfigured(
            f"PASSWORD_RESET_SENDER: {path!r} has no `async def send_password_reset(message)`; "
            "see kwik.contrib.auth.senders.PasswordResetSender"
        )
    return sender


def get_password_reset_sender() -> PasswordResetSender:
    """The sender PASSWORD_RESET_SENDER names (a class, made once, or an instance)."""
    from kwik.conf import settings

    return _load(settings.PASSWORD_RESET_SENDER)
