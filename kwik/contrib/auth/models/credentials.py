"""What a signed-in user holds, stored server-side: bearer tokens, browser sessions, and
password-reset tokens.

Each row keeps a keyed digest (`kwik.signing.keyed_digest`) of the secret it stands for, never the
secret itself: a copy of the database doesn't let anyone sign in, and a presented secret is found
by an index lookup on its digest. Each belongs to a user (`AUTH_USER_MODEL`) and goes when the
user does. Expiry is a column, checked on every use, so a token can't outlive its `expires_at`
whatever the client does; revocation is a timestamp (tokens), a deleted row (sessions) or a
spent one (resets).

The session model is `UserSession`, not `Session`, so it can't be mistaken for a database
session (`kwik.db.session`, SQLAlchemy's `Session`) in an import or a signature.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.contrib.auth.users import user_id_column
from kwik.db import IDMixin, Model, utcnow

__all__ = ["AuthToken", "PasswordResetToken", "UserSession"]

DIGEST_LENGTH = 64
"""Hex characters of an HMAC-SHA256 digest."""


class AuthToken(IDMixin, Model):
    """An opaque bearer token issued at login (`Authorization: Bearer kwik_...`).

    `prefix` is the token's first characters, for a person to tell tokens apart in a list; the
    rest of the secret exists only in the client's hands.
    """

    __tablename__ = "auth_token"

    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(IDMixin, Model):
    """A browser session: the cookie carries a signed random key, this row its digest.

    `data` is a small JSON object the project may keep per session (a cart, a flash message).
    Logging out deletes the row, so the cookie is worthless even if it was copied.
    """

    __tablename__ = "auth_session"

    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    user_id: Mapped[int] = user_id_column()
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class PasswordResetToken(IDMixin, Model):
    """A single-use, time-limited password-reset token, sent to the user by the sender.

    `used_at` is set by the one request that spends it (an `UPDATE ... WHERE used_at IS NULL`, so
    two requests racing with one token can't both succeed).
    """

    __tablename__ = "auth_password_reset_token"

    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    user_id: Mapped[int] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
