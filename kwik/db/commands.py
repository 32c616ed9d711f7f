"""Running a command's database work: one event loop, one-line errors, connections closed.

Every app command that reads or writes the database (`createsuperuser`, `kwik tasks`,
`kwik apikeys`) runs its work through `run_database_work`, so a missing table or a refused
statement reads the same everywhere and no connection outlives the command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

from kwik.cli.errors import CommandError
from kwik.db.errors import reason

__all__ = ["run_database_work"]

T = TypeVar("T")


def run_database_work(
    work: Callable[[], Coroutine[Any, Any, T]],
    *,
    tables: str = "the tables",
    passing: tuple[type[BaseException], ...] = (),
) -> T:
    """Run `work()` on a new event loop; a database error becomes a one-line CommandError that
    asks whether `kwik migrate` created `tables`. Errors in `passing` (an IntegrityError the
    command explains itself) are left to the caller.

    Example:
        user = run_database_work(find_user, tables="the auth tables")
    """
    from kwik.db import database

    async def run() -> T:
        try:
            return await work()
        except passing:
            raise
        except DBAPIError as exc:
            raise CommandError(
                f"The database refused: {reason(exc)}. Has `kwik migrate` created {tables}?"
            ) from exc
        finally:
            await database().dispose()

    return asyncio.run(run())
