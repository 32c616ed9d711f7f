"""Database errors as a person should read them: one line, the URL with its password masked."""

from __future__ import annotations

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from kwik.db.urls import masked
from kwik.exceptions import KwikError

__all__ = ["DatabaseUnavailable", "reason", "unreachable"]


class DatabaseUnavailable(KwikError):
    """The database can't be reached; the message names it, with the password masked."""


def reason(exc: BaseException) -> str:
    """The first line of the driver's own message (SQLAlchemy's wrapper and asyncpg's
    `<class '...'>:` prefix removed), or the error's class name when it says nothing."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    message = lines[0] if lines else ""
    if message.startswith("<class '"):
        message = message.partition(">: ")[2]
    return message or type(cause).__name__


def unreachable(url: URL, exc: BaseException, what: str = "the database") -> DatabaseUnavailable:
    """The error for a failed connection to `url`."""
    return DatabaseUnavailable(
        f"Cannot connect to {what} at {masked(url)}: {reason(exc)}. "
        "Check DATABASE_URL and that the server is running."
    )
