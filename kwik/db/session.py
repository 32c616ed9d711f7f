"""Units of work: `session()` for scripts and commands, `get_session` for request handlers.

Both commit when the block (or the handler) finishes and roll back when it raises, so a request
that fails leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from sqlalchemy.ext.asyncio import AsyncSession

from kwik.db.database import database
from kwik.http.params import Depends

__all__ = ["DBSession", "get_session", "session"]


@asynccontextmanager
async def session() -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits at the end of the block, or rolls back on error.

    Example:
        async with kwik.db.session() as db:
            db.add(Product(name="Lamp"))
    """
    async with database().sessionmaker()() as current:
        try:
            yield current
            await current.commit()
        except BaseException:
            await current.rollback()
            raise


async def get_session() -> AsyncIterator[AsyncSession]:
    """The request's session (a dependency): committed before the response is sent."""
    async with session() as current:
        yield current


DBSession = Annotated[AsyncSession, Depends(get_session)]
"""Annotate a handler parameter with it to receive the request's session."""
