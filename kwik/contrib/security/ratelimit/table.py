"""`RateLimitState`: one row per rate-limit key for the `database` backend.

The backend never loads rows as objects: each check is one atomic upsert over this table (see
backends/database.py). On PostgreSQL the table is UNLOGGED (the migration says so): counters are
worth less than the write-ahead log they would cost, and a crash only forgets recent hits.

The columns serve every algorithm: GCRA keeps its theoretical arrival time in `tat`; the window
algorithms keep the current window's start in `tat`, its count in `hits` and the previous
window's count in `previous_hits`. `expires_at` (epoch seconds) says when a row no longer limits
anything, for the purge.
"""

from __future__ import annotations

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import Model

__all__ = ["RateLimitState"]


class RateLimitState(Model):
    __app_label__ = "security"
    __tablename__ = "security_ratelimit"
    __table_args__ = (Index("ix_security_ratelimit_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    tat: Mapped[float] = mapped_column(Float, default=0.0)
    hits: Mapped[float] = mapped_column(Float, default=0.0)
    previous_hits: Mapped[float] = mapped_column(Float, default=0.0)
    expires_at: Mapped[float] = mapped_column(Float)
