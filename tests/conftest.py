"""Shared fixtures: every test starts with no project loaded, in its own empty folder.

`project` writes small projects and apps into that folder (see tests/support.py for the helpers
that run the real `kwik` script and wait for servers); `page` is a headless Chromium page.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import kwik.bootstrap
from kwik.db.servers import create_database, drop_database
from kwik.testing.databases import PostgresUnavailable, postgres_container, test_server_url
from tests.support import Project

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def isolated_kwik(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No settings, apps, KWIK_* variables or project modules leak between tests."""
    kwik.bootstrap.reset()
    for name in list(os.environ):
        if name.startswith("KWIK_") and name != "KWIK_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    saved_path = list(sys.path)
    yield
    kwik.bootstrap.reset()
    sys.path[:] = saved_path
    root = str(tmp_path)
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None) or "".join(getattr(module, "__path__", []))
        if location and location.startswith(root):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.syspath_prepend(str(tmp_path))
    return Project(tmp_path)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """KWIK_TEST_DATABASE_URL, else a testcontainers PostgreSQL when Docker runs, else None."""
    server = test_server_url()
    if server is not None:
        yield server
        return
    try:
        with postgres_container() as url:
            yield url
    except PostgresUnavailable:
        yield None


def _require(server: str | None) -> str:
    """The server, or the test stops: failing in CI (`CI=true`), skipped elsewhere."""
    if server is None:
        message = (
            "no PostgreSQL: set KWIK_TEST_DATABASE_URL or run Docker (`make test` sets it and "
            "starts the local cluster)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return server


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: str | None
) -> Iterator[str]:
    """A new, empty database for one test: a SQLite file, then a PostgreSQL database."""
    with fresh_database(request.param, postgres_server, "kwik_test", tmp_path) as url:
        yield url


@contextmanager
def fresh_database(
    backend: str, server: str | None, name: str, folder: Path | None = None
) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in `folder`, or a database named after
    `name` on the PostgreSQL `server`, dropped afterwards (the fixtures' one way to make one)."""
    if backend == "sqlite":
        assert folder is not None, "a SQLite database needs a folder"
        yield f"sqlite+aiosqlite:///{folder / f'{name}.sqlite3'}"
        return
    created = asyncio.run(create_database(_require(server), name))
    url = created.render_as_string(hide_password=False)
    try:
        yield url
    finally:
        asyncio.run(drop_database(url))


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Headless Debian chromium through Playwright; required in CI, skipped elsewhere."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs it (scripts/ensure-chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    context = chromium.new_context()  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()
