"""Engines: configured for the database behind the URL, made per event loop, errors masked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import kwik
from kwik.conf import CoreSettings
from kwik.db import Database, DatabaseUnavailable, database
from kwik.db.urls import masked, parse_url
from kwik.testing import override_settings


def settings_for(url: str, **values: object) -> CoreSettings:
    return CoreSettings(DEBUG=True, DATABASE_URL=url, **values)


async def scalar(db: Database, sql: str) -> object:
    async with db.engine.connect() as connection:
        return (await connection.execute(text(sql))).scalar()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path):
    db = Database(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"))
    try:
        assert await scalar(db, "PRAGMA journal_mode") == "wal"
        assert await scalar(db, "PRAGMA foreign_keys") == 1
        assert await scalar(db, "PRAGMA busy_timeout") == 30000
    finally:
        await db.dispose()


async def test_sqlite_transactions_take_the_write_lock_when_they_begin(tmp_path: Path):
    db = Database(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"))
    statements: list[str] = []
    try:
        from sqlalchemy import event

        event.listen(
            db.engine.sync_engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *rest: statements.append(statement),
        )
        async with db.engine.begin() as connection:
            await connection.execute(text("SELECT 1"))
        assert statements[:2] == ["BEGIN IMMEDIATE", "SELECT 1"]
    finally:
        await db.dispose()


def test_a_relative_sqlite_path_is_resolved_against_base_dir(tmp_path: Path):
    db = Database(settings_for("sqlite+aiosqlite:///db.sqlite3", BASE_DIR=tmp_path))

    assert db.url.database == str(tmp_path / "db.sqlite3")


def test_an_absolute_sqlite_path_and_memory_databases_are_left_alone(tmp_path: Path):
    absolute = parse_url(f"sqlite+aiosqlite:///{tmp_path}/a.db", base_dir=Path("/elsewhere"))
    memory = parse_url("sqlite+aiosqlite:///:memory:", base_dir=tmp_path)

    assert absolute.database == f"{tmp_path}/a.db"
    assert memory.database == ":memory:"


def test_urls_are_printed_with_the_password_masked():
    assert masked("postgresql+asyncpg://shop:s3cret@db.internal:5432/shop") == (
        "postgresql+asyncpg://shop:***@db.internal:5432/shop"
    )


def test_a_malformed_url_is_a_configuration_error():
    with pytest.raises(kwik.ImproperlyConfigured, match="is not a database URL"):
        parse_url("sqlite+aiosqlite//missing-colon")


async def test_an_unreachable_database_is_reported_with_the_password_masked():
    db = Database(settings_for("postgresql+asyncpg://shop:s3cret@127.0.0.1:1/shop"))

    with pytest.raises(DatabaseUnavailable) as error:
        await db.check_connection()

    message = str(error.value)
    assert message.startswith(
        "Cannot connect to the database at postgresql+asyncpg://shop:***@127.0.0.1:1/shop: "
    )
    assert "s3cret" not in message
    assert message.endswith("Check DATABASE_URL and that the server is running.")


def test_each_event_loop_gets_its_own_engine(tmp_path: Path):
    db = Database(settings_for(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"))

    async def use() -> AsyncEngine:
        assert await scalar(db, "SELECT 1") == 1
        return db.engine

    async def use_then_dispose() -> AsyncEngine:
        engine = await use()
        await db.dispose()  # also closes the engine left behind by the first loop
        return engine

    first = asyncio.run(use())  # not disposed: its loop is gone after this line
    second = asyncio.run(use_then_dispose())

    assert first is not second


def test_the_project_database_follows_the_database_url_setting(project, tmp_path: Path):
    project.settings(f"DATABASE_URL = 'sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}'\n")
    kwik.setup("proj.settings")

    with override_settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'b.sqlite3'}"):
        assert database().url.database == str(tmp_path / "b.sqlite3")
    assert database().url.database == str(tmp_path / "a.sqlite3")


async def test_postgresql_is_reached_through_asyncpg(database_url: str):
    db = Database(settings_for(database_url))
    try:
        assert await scalar(db, "SELECT 1") == 1
        assert db.backend in {"sqlite", "postgresql"}
    finally:
        await db.dispose()
