"""Helpers for the tests of auth's foundation (models, passwords, permissions, migrations,
commands): a project with auth on a fresh database of each kind, loaded in this process.

Auth's models are mapped once per process for the `AUTH_USER_MODEL` of the first project that
loads them, so in-process projects keep auth's own `User`; a swapped user model is tested
through the real `kwik` script (test_migrations.py, test_commands.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

import kwik
from tests.support import Project

FAST_HASHER = "kwik.contrib.auth.passwords:FastScryptHasher"
PASSWORD = "violet-kumquat-harbour-42"


def write_settings(project: Project, database_url: str, extra: str = "") -> None:
    """Settings of a project with only auth installed, hashing with the fast test hasher."""
    project.settings(
        'SECRET_KEY = "tests-of-auth-foundation-with-a-long-enough-random-secret-key-0123456789"\n'
        'INSTALLED_APPS = ["kwik.contrib.auth"]\n'
        f"DATABASE_URL = {database_url!r}\n"
        f"PASSWORD_HASHERS = [{FAST_HASHER!r}]\n{extra}"
    )


async def migrate() -> None:
    """`migrate_to_heads` on the project's database, as kwik's pytest plugin does."""
    from kwik.db import database
    from kwik.migrations import migrate_to_heads

    async with database().engine.connect() as connection:
        await migrate_to_heads(connection)


def load_migrated(project: Project, database_url: str, extra: str = "") -> None:
    """Load the auth project and migrate its database (from a sync test or fixture)."""
    write_settings(project, database_url, extra)
    kwik.setup("proj.settings")

    async def run() -> None:
        from kwik.db import database

        try:
            await migrate()
        finally:
            await database().dispose()

    asyncio.run(run())


async def make_user(email: str = "ada@example.com", password: str = PASSWORD, **fields: Any) -> Any:
    """A user of the configured model, stored and committed."""
    import kwik.db
    from kwik.contrib.auth import get_user_model, hash_password

    user = get_user_model()(email=email, password=await hash_password(password), **fields)
    async with kwik.db.session() as session:
        session.add(user)
    return user


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the project's engine runs inside the block."""
    from kwik.db import database

    seen: list[str] = []
    engine = database().engine.sync_engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
