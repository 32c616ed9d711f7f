"""The users, in memory: enough to serve the example without a database."""

from __future__ import annotations

from .schemas import User

__all__ = ["USERS", "seed"]

USERS: dict[int, User] = {}


def seed() -> None:
    """Start again from two users (the application's startup does it)."""
    USERS.clear()
    USERS[1] = User(id=1, name="Ada Lovelace", email="ada@example.com", locale="en")
    USERS[2] = User(id=2, name="Grace Hopper", email="grace@example.com", locale="en-US")
