"""Units of work: `session()` for scripts and commands, `get_session` for request handlers.

Both commit when the block (or the handler) finishes and roll back when it raises, so a request
that fails leaves nothing half-written. While one runs, `current_session()` returns its session,
so code called from inside (enqueueing a background job, say) can join the same transaction
without being handed the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Annotated

from sqlalchemy.ext.asyncio import AsyncSession

from kwik.db.database import database
from kwik.http.params import Depends

__all__ = ["DBSession", "current_session", "get_session", "session"]

_current: ContextVar[AsyncSession | None] = ContextVar("kwik_db_current_session", default=None)


def current_session() -> AsyncSession | None:
    """The session of the innermost unit of work running in this context, or None.

    Inside `async with kwik.db.session()`, and in a handler (and its dependencies) that takes a
    `DBSession`, this is that session; elsewhere it is None. A task started with
    `asyncio.create_task` inside the block inherits it, like any context variable: don't let it
    outlive the block.

    Example:
        async with kwik.db.session() as db:
            assert kwik.db.current_session() is db
    """
    return _current.get()


def session() -> AbstractAsyncContextManager[AsyncSession]:
    """A session whose transaction commits at the end of the block, or rolls back on error.

    A session the block never used (no query, nothing added, as when a request's reads all ran
    straight on the driver: `kwik.db.direct`) has nothing to commit or close, and skips both.

    Example:
        async with kwik.db.session() as db:
            db.add(Product(name="Lamp"))
    """
    return _session_block()


async def get_session() -> AsyncIterator[AsyncSession]:
    """The request's session (a dependency): committed before the response is sent.

    It is also the body of `session()`, written once as a generator so the dependency runs it
    without a context manager around it.
    """
    current = database().sessionmaker()()
    token = _current.set(current)
    try:
        try:
            yield current
        except BaseException:
            if _used(current):
                try:
                    await current.rollback()
                finally:
                    await asyncio.shield(current.close())
            raise
        if _used(current):
            try:
                await current.commit()
            finally:
                await asyncio.shield(current.close())
    finally:
        _current.reset(token)


_session_block = asynccontextmanager(get_session)


def _used(current: AsyncSession) -> bool:
    """Whether `current` holds anything: a transaction, objects, or changes to write (dirty
    objects are in the identity map)."""
    return bool(current.in_transaction() or current.identity_map or current.new or current.deleted)


DBSession = Annotated[AsyncSession, Depends(get_session)]
"""Annotate a handler parameter with it to receive the request's session."""
