"""Fixtures of the migration tests: a project with apps in tmp, on a fresh database of each kind.

`shop.kwik(...)` runs the real `kwik` script in a subprocess: the tests that change models use
it, because a model class can't be defined twice in one process (SQLAlchemy's metadata is shared).
`shop.call(...)` runs `kwik` in this process, for the tests whose apps have migration files and
no models; it is an order of magnitude faster.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from kwik.cli import main
from tests.support import Project, run_kwik

SETTINGS_MODULE = "shop.settings"

PRODUCT = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model


class Product(IDMixin, Model):
    name: Mapped[str] = mapped_column(String(200))
"""


@dataclass(frozen=True)
class Result:
    """What one `kwik` run did: its exit status and its output."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def error(self) -> str:
        """The one-line error the run ended with (asserting it is one line, with no traceback)."""
        lines = [line for line in self.err.splitlines() if not line.startswith("Warning: ")]
        assert "Traceback" not in self.err, self.err
        assert len(lines) == 1, self.err
        assert lines[0].startswith("Error: "), self.err
        assert self.code != 0
        return lines[0].removeprefix("Error: ")


def migration_source(
    label: str,
    name: str,
    *,
    parent: str | tuple[str, ...] | None = None,
    depends_on: tuple[str, ...] | None = None,
    upgrade: str = "pass",
    downgrade: str = "pass",
) -> str:
    """A migration file as a person would write one (`parent`: the previous file's stem(s))."""
    parents = (parent,) if isinstance(parent, str) else parent
    down = None
    if parents:
        ids = tuple(f"{label}_{stem}" for stem in parents)
        down = ids[0] if len(ids) == 1 else ids
    body = {
        "upgrade": textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
        "downgrade": textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
    }
    return (
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {f'{label}_{name}'!r}\n"
        f"down_revision = {down!r}\n"
        f"branch_labels = {None if parents else (label,)!r}\n"
        f"depends_on = {depends_on!r}\n\n\n"
        f"def upgrade() -> None:\n{body['upgrade']}\n\n\n"
        f"def downgrade() -> None:\n{body['downgrade']}\n"
    )


def create_table(table: str) -> str:
    return f"op.create_table({table!r}, sa.Column('id', sa.Integer(), primary_key=True))"


class Shop:
    """A project named `shop` in the test's folder, its database, and `kwik` to run on it."""

    def __init__(
        self,
        project: Project,
        database_url: str,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.project = project
        self.root = project.root
        self.database_url = database_url
        self._capsys = capsys
        self._monkeypatch = monkeypatch
        monkeypatch.setenv("KWIK_DATABASE_URL", database_url)
        monkeypatch.setattr(sys, "dont_write_bytecode", True)  # files rewritten within a second

    def apps(self, *labels: str, settings: str = "") -> None:
        """Install apps `labels`, each a package with an empty `migrations/` folder."""
        for label in labels:
            self.project.package(label, {"migrations/__init__.py": ""})
        self.project.settings(
            f"INSTALLED_APPS = {list(labels)!r}\n{settings}", module=SETTINGS_MODULE
        )
        self.project.pyproject(SETTINGS_MODULE)

    def models(self, label: str, source: str) -> None:
        self.project.write(f"{label}/models.py", source)

    def migration(self, label: str, name: str, **options: object) -> Path:
        return self.project.write(
            f"{label}/migrations/{name}.py",
            migration_source(label, name, **options),  # type: ignore[arg-type]
        )

    def migration_files(self, label: str) -> list[str]:
        return sorted(path.name for path in (self.root / label / "migrations").glob("0*.py"))

    def kwik(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """`kwik ARGS` in a subprocess, as a user runs it."""
        environment = {"KWIK_DATABASE_URL": self.database_url, "PYTHONDONTWRITEBYTECODE": "1"}
        environment.update(env or {})
        done = run_kwik(*args, cwd=self.root, env=environment)
        return Result(done.returncode, done.stdout, done.stderr)

    def call(self, *args: str) -> Result:
        """`kwik ARGS` in this process."""
        self._capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = self._capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else int(code is not None), *captured)

    # The database, seen from outside kwik --------------------------------------------------

    def _inspect(self, look: str, *args: str) -> object:
        async def run() -> object:
            engine = create_async_engine(self.database_url)
            try:
                async with engine.connect() as connection:
                    return await connection.run_sync(lambda c: getattr(_Look(c), look)(*args))
            finally:
                await engine.dispose()

        return asyncio.run(run())

    def tables(self) -> set[str]:
        return self._inspect("tables")  # type: ignore[return-value]

    def columns(self, table: str) -> list[str]:
        return self._inspect("columns", table)  # type: ignore[return-value]

    def indexes(self, table: str) -> list[str]:
        return self._inspect("indexes", table)  # type: ignore[return-value]

    def foreign_keys(self, table: str) -> list[tuple[str, ...]]:
        return self._inspect("foreign_keys", table)  # type: ignore[return-value]

    def execute(self, *statements: str) -> None:
        self._inspect("execute", *statements)

    def versions(self) -> set[str]:
        return self._inspect("versions")  # type: ignore[return-value]

    def rows(self, query: str) -> list[object]:
        """The first column of each row `query` returns."""
        return self._inspect("rows", query)  # type: ignore[return-value]

    def server_databases(self) -> set[str]:
        """Names of the databases on the PostgreSQL server."""
        return set(self.rows("SELECT datname FROM pg_database"))


class _Look:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def tables(self) -> set[str]:
        return set(inspect(self.connection).get_table_names())

    def columns(self, table: str) -> list[str]:
        return [column["name"] for column in inspect(self.connection).get_columns(table)]

    def indexes(self, table: str) -> list[str]:
        return [str(index["name"]) for index in inspect(self.connection).get_indexes(table)]

    def foreign_keys(self, table: str) -> list[tuple[str, ...]]:
        return [
            (*key["constrained_columns"], key["referred_table"])
            for key in inspect(self.connection).get_foreign_keys(table)
        ]

    def execute(self, *statements: str) -> None:
        for statement in statements:
            self.connection.execute(text(statement))
        self.connection.commit()

    def rows(self, query: str) -> list[object]:
        return [row[0] for row in self.connection.execute(text(query))]

    def versions(self) -> set[str]:
        if "kwik_migrations" not in self.tables():
            return set()
        rows = self.connection.execute(text("SELECT version_num FROM kwik_migrations"))
        return {row[0] for row in rows}


@pytest.fixture
def shop(
    project: Project,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    return Shop(project, database_url, capsys, monkeypatch)


@pytest.fixture
def sqlite_shop(
    project: Project,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    """The shop on SQLite only, for behaviour that doesn't depend on the database."""
    return Shop(project, f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}", capsys, monkeypatch)


def lines_with(prefix: str, lines: Iterable[str]) -> list[str]:
    return [line for line in lines if line.startswith(prefix)]
