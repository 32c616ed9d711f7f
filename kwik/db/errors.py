"""What a database error says, in one line, for messages that end up in front of a person."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

__all__ = ["reason"]


def reason(exc: BaseException) -> str:
    """The first line of the driver's own message (SQLAlchemy's wrapper and asyncpg's
    `<class '...'>:` prefix removed), or the error's class name when it says nothing."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    message = lines[0] if lines else ""
    if message.startswith("<class '"):
        message = message.partition(">: ")[2]
    return message or type(cause).__name__
