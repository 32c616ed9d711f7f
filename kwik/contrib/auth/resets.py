"""Password-reset tokens: single use, time-limited, stored as digests.

`POST /auth/password-reset` makes one for an active user and hands it to the sender;
`POST /auth/password-reset/confirm` spends it. A token is 256 random bits, valid for
`PASSWORD_RESET_TIMEOUT` seconds and for one use: spending it is one
`UPDATE ... WHERE used_at IS NULL`, so two requests racing with the same token can't both
succeed. A successful reset spends every other outstanding token of the user too.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from kwik.contrib.auth.senders import PasswordResetMessage
from kwik.contrib.auth.users import get_user_model
from kwik.db import utcnow
from kwik.signing import keyed_digest

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kwik.contrib.auth.base_user import AbstractUser
    from kwik.contrib.auth.models.credentials import PasswordResetToken

__all__ = [
    "cancel_password_resets",
    "create_password_reset",
    "find_password_reset",
    "spend_password_reset",
]

_PURPOSE = "kwik.contrib.auth.password-reset"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _digest(token: str) -> str:
    return keyed_digest(token, _PURPOSE)


def _address(user: AbstractUser) -> str:
    return str(getattr(user, "email", None) or getattr(user, user.USERNAME_FIELD))


async def create_password_reset(session: AsyncSession, user: AbstractUser) -> PasswordResetMessage:
    """A new reset token for `user`, as the message its sender delivers."""
    from kwik.conf import settings
    from kwik.contrib.auth.models.credentials import PasswordResetToken

    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = PasswordResetToken(
        digest=_digest(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    )
    session.add(row)
    await session.flush()
    template = settings.PASSWORD_RESET_URL
    return PasswordResetMessage(
        to=_address(user),
        user_id=user.id,
        token=token,
        url=template.replace("{token}", token) if template else None,
        expires_at=row.expires_at,
    )


async def find_password_reset(
    session: AsyncSession, token: str
) -> tuple[AbstractUser, PasswordResetToken] | None:
    """The active user a usable reset token belongs to, and its row; None when the token is
    malformed, unknown, spent or expired, or its user inactive."""
    from kwik.contrib.auth.models.credentials import PasswordResetToken

    if not _WELL_FORMED.match(token):
        return None
    user_model = get_user_model()
    found = (
        await session.execute(
            select(PasswordResetToken, user_model)
            .join(user_model, user_model.id == PasswordResetToken.user_id)
            .where(PasswordResetToken.digest == _digest(token))
        )
    ).first()
    if found is None:
        return None
    row, user = found
    if row.used_at is not None or row.expires_at <= utcnow() or not user.is_active:
        return None
    return user, row


async def spend_password_reset(session: AsyncSession, row: PasswordResetToken) -> bool:
    """Mark the token used; False when another request spent it first."""
    from kwik.contrib.auth.models.credentials import PasswordResetToken

    result = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_password_resets(session: AsyncSession, user_id: int) -> int:
    """Spend every outstanding reset token of a user (their password just changed)."""
    from kwik.contrib.auth.models.credentials import PasswordResetToken

    result = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
