"""Checking a login: the one place a username and a password become a user.

A wrong username, a wrong password and an inactive account all give None, after the same work:
one password hash (a dummy one when no user has that username), so neither the answer nor its
timing says which emails have accounts. A correct password whose stored hash is out of date
(another hasher, older parameters) is re-hashed on the way, stored when the request commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kwik.contrib.auth.passwords import verify_dummy_password
from kwik.contrib.auth.users import find_user
from kwik.db import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kwik.contrib.auth.base_user import AbstractUser

__all__ = ["authenticate", "record_login"]


async def authenticate(session: AsyncSession, username: str, password: str) -> AbstractUser | None:
    """The active user whose USERNAME_FIELD is `username` and whose password is `password`.

    Example:
        user = await authenticate(session, "ada@example.com", "correct horse battery staple")
    """
    try:
        user = await find_user(session, username)
    except ValueError:  # not even an email address: no user has it
        user = None
    if user is None:
        await verify_dummy_password(password)
        return None
    if not await user.check_password(password) or not user.is_active:
        return None
    return user


def record_login(user: AbstractUser) -> None:
    """Stamp `last_login`; stored when the request's session commits."""
    user.last_login = utcnow()
