"""`APIKey`: one row per key. The secret is never stored: only its keyed digest (HMAC-SHA256
under a key derived from SECRET_KEY), looked up through the public `key_id` part of the key.

A rotation keeps the old secret's digest in `previous_secret_digest` until
`previous_valid_until`, so clients switch over without an outage.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import Model, UTCDateTime, utcnow

__all__ = ["APIKey"]


class APIKey(Model):
    __app_label__ = "security"
    __tablename__ = "security_apikey"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100))
    """What the key is for (`billing-service`), shown in listings."""
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    """The public part of the key, after the prefix; how a presented key finds its row."""
    secret_digest: Mapped[str] = mapped_column(String(64))
    previous_secret_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    previous_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tier: Mapped[str | None] = mapped_column(String(50), default=None)
    """A name in API_KEY_RATE_LIMIT_TIERS; None: no per-key limit."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
