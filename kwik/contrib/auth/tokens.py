"""Opaque bearer tokens: issued at login, checked on each request, revoked at logout.

A token is `kwik_` and 43 characters of `secrets.token_urlsafe(32)` (256 random bits). The
recognisable prefix lets secret scanners (and people) tell a kwik token when one is pasted
where it shouldn't be. The database keeps only its keyed digest, so a token is checked by one
indexed lookup, and nothing stored lets anyone use one.

Every way a token can be unusable (malformed, unknown, expired, revoked, its user inactive)
gives the same None: the caller answers all of them alike, so a client learns nothing about
which one it was.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from kwik.contrib.auth.users import get_user_model
from kwik.db import utcnow
from kwik.signing import keyed_digest

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kwik.contrib.auth.base_user import AbstractUser
    from kwik.contrib.auth.models.credentials import AuthToken

__all__ = [
    "TOKEN_PREFIX",
    "IssuedToken",
    "authenticate_token",
    "issue_token",
    "revoke_token",
    "revoke_user_tokens",
    "token_digest",
]

TOKEN_PREFIX = "kwik_"
_PURPOSE = "kwik.contrib.auth.token"
_WELL_FORMED = re.compile(r"^kwik_[A-Za-z0-9_-]{43}$")
_DISPLAY_LENGTH = len(TOKEN_PREFIX) + 6
LAST_USED_RESOLUTION = timedelta(minutes=5)
"""`last_used_at` is written at most this often per token, not on every request."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token, the only time it exists in clear: hand it to the client, then forget it."""

    token: str = field(repr=False)
    row: AuthToken

    @property
    def expires_at(self) -> datetime:
        return self.row.expires_at


def token_digest(token: str) -> str:
    """What the database stores for `token`."""
    return keyed_digest(token, _PURPOSE)


async def issue_token(
    session: AsyncSession, user: AbstractUser, *, ttl: int | None = None
) -> IssuedToken:
    """A new token for `user`, valid for `ttl` seconds (default `AUTH_TOKEN_TTL`)."""
    from kwik.conf import settings
    from kwik.contrib.auth.models.credentials import AuthToken

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    seconds = settings.AUTH_TOKEN_TTL if ttl is None else ttl
    row = AuthToken(
        digest=token_digest(token),
        prefix=token[:_DISPLAY_LENGTH],
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
    )
    session.add(row)
    await session.flush()
    return IssuedToken(token, row)


async def authenticate_token(
    session: AsyncSession, token: str
) -> tuple[AbstractUser, AuthToken] | None:
    """The active user `token` belongs to, and its row; None when it can't be used, whatever
    the reason."""
    from kwik.contrib.auth.models.credentials import AuthToken

    if not _WELL_FORMED.match(token):
        return None
    user_model = get_user_model()
    found = (
        await session.execute(
            select(AuthToken, user_model)
            .join(user_model, user_model.id == AuthToken.user_id)
            .where(AuthToken.digest == token_digest(token))
        )
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now or not user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return user, row


async def revoke_token(session: AsyncSession, row: AuthToken) -> None:
    """Revoke one token (logout); it stays in the table, marked, for the record."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()


async def revoke_user_tokens(
    session: AsyncSession, user_id: int, *, keep: AuthToken | None = None
) -> int:
    """Revoke every live token of a user, except `keep` (the one making the request); the
    number revoked."""
    from kwik.contrib.auth.models.credentials import AuthToken

    statement = (
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep is not None:
        statement = statement.where(AuthToken.id != keep.id)
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
