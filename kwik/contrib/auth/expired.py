"""Deleting credentials past their expiry: browser sessions, bearer tokens, reset tokens.

Each is refused once expired (expiry is checked on every use), so deleting it changes no answer
any request gets; it keeps the tables from growing with every login. `kwik clearsessions` runs
`delete_expired`; a project with the tasks app can also run it on a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete

from kwik.db import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["Deleted", "delete_expired"]


@dataclass(frozen=True, slots=True)
class Deleted:
    """How many rows `delete_expired` deleted, of each kind."""

    sessions: int
    tokens: int
    reset_tokens: int


async def delete_expired(session: AsyncSession, *, now: datetime | None = None) -> Deleted:
    """Delete the sessions, bearer tokens and password-reset tokens that expired by `now`
    (default: the current time), in `session`'s transaction.

    Example:
        async with kwik.db.session() as db:
            deleted = await delete_expired(db)
    """
    # Imported here: the models load with the project, and this module may be imported before.
    from kwik.contrib.auth.models.credentials import AuthToken, PasswordResetToken, UserSession

    cutoff = utcnow() if now is None else now
    counts = []
    for model in (UserSession, AuthToken, PasswordResetToken):
        statement = delete(model).where(model.expires_at <= cutoff)
        result = await session.execute(statement.execution_options(synchronize_session=False))
        counts.append(result.rowcount)  # type: ignore[attr-defined]
    return Deleted(*counts)
