"""The database fixtures of kwik's pytest plugin, as a project's own test suite meets them: a test
database made and migrated once per session, each test's writes rolled back, and an async client
whose requests join the test's transaction. Each case runs the project's tests in a fresh pytest
process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

import pytest

from tests.support import Project

pytest_plugins = ["pytester"]

MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model


class Note(IDMixin, Model):
    text: Mapped[str] = mapped_column(String(100), unique=True)
"""

MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "notes_0001_initial"
down_revision = None
branch_labels = ("notes",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notes_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_note")),
        sa.UniqueConstraint("text", name=op.f("uq_notes_note_text")),
    )


def downgrade() -> None:
    op.drop_table("notes_note")
"""

ROUTES = """
from sqlalchemy import func, select

from kwik.db import DBSession
from kwik.http import Router
from notes.models import Note

router = Router()


@router.post("/{text}", status_code=201)
async def add(text: str, session: DBSession) -> dict[str, int]:
    note = Note(text=text)
    session.add(note)
    await session.flush()
    return {"id": note.id}


@router.get("/")
async def count(session: DBSession) -> dict[str, int]:
    return {"count": await session.scalar(select(func.count()).select_from(Note))}
"""

TESTS = """
from sqlalchemy import func, select

from notes.models import Note


async def test_a_request_writes_a_row_the_test_can_read(client, db):
    assert (await client.post("/notes/first")).status_code == 201

    assert await db.scalar(select(func.count()).select_from(Note)) == 1


async def test_the_next_test_starts_empty(client, db):
    assert await db.scalar(select(func.count()).select_from(Note)) == 0
    assert (await client.get("/notes/")).json() == {"count": 0}


async def test_rows_arranged_through_db_are_seen_by_requests(client, db):
    db.add(Note(text="arranged"))
    await db.flush()

    assert (await client.get("/notes/")).json() == {"count": 1}


async def test_concurrent_requests_in_one_test_take_turns(client):
    import asyncio

    responses = await asyncio.gather(*(client.post(f"/notes/n{i}") for i in range(5)))

    assert [r.status_code for r in responses] == [201] * 5
    assert (await client.get("/notes/")).json() == {"count": 5}


async def test_the_test_database_is_not_the_development_one(kwik_database):
    from kwik.conf import settings

    assert "kwik_test" in settings.DATABASE_URL or "pytest" in settings.DATABASE_URL
"""


def make_project(pytester: pytest.Pytester, database_url: str) -> None:
    project = Project(pytester.path)
    project.write("pyproject.toml", '[tool.kwik]\nsettings = "memo.settings"\n')
    settings = f"DEBUG = True\nINSTALLED_APPS = ['notes']\nDATABASE_URL = {database_url!r}\n"
    project.package("memo", {"settings.py": settings})
    project.package(
        "notes",
        {
            "models.py": MODELS,
            "routes.py": ROUTES,
            "migrations/__init__.py": "",
            "migrations/0001_initial.py": MIGRATION,
        },
    )
    project.write("tests/test_notes.py", TESTS)


def test_each_test_runs_in_a_transaction_that_is_rolled_back(
    pytester: pytest.Pytester, database_url: str
):
    make_project(pytester, database_url)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "tests")

    result.assert_outcomes(passed=5)


def test_a_postgresql_project_without_a_postgresql_for_tests_fails_clearly(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    make_project(pytester, "postgresql+asyncpg://nobody@127.0.0.1:1/memo")
    monkeypatch.delenv("KWIK_TEST_DATABASE_URL", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "tests")

    assert result.ret != 0
    result.stdout.fnmatch_lines(
        ["*no PostgreSQL for the tests: set KWIK_TEST_DATABASE_URL to a PostgreSQL server*"]
    )
    assert os.environ.get("KWIK_TEST_DATABASE_URL") is None
