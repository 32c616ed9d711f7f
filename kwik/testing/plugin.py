"""Kwik's pytest plugin (registered by entry point): fixtures for testing a kwik project.

Fixtures: `kwik_project` (loads the project found from the working directory, once), `settings`
(assign to override for one test), `app` (the project's ASGI application) and `client` (a test
client that runs the application's lifespan). Nothing happens until a test asks for one, so the
plugin costs nothing in test suites that don't use it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from kwik.testing.overrides import SettingsOverrides

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

__all__ = [
    "anyio_backend",
    "app",
    "client",
    "kwik_project",
    "pytest_pycollect_makeitem",
    "settings",
]


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Iterator[object]:
    """Run `async def` tests on anyio's asyncio runner, without a marker on each one.

    The marker goes on before anyio's own collection hook looks for it. Tests marked for anyio
    or pytest-asyncio already are left as they are.
    """
    if collector.istestfunction(obj, name) and inspect.iscoroutinefunction(obj):
        own = {mark.name for mark in getattr(obj, "pytestmark", ())}
        inherited = collector.get_closest_marker("anyio") or collector.get_closest_marker("asyncio")
        if not inherited and not own & {"anyio", "asyncio"}:
            pytest.mark.anyio(obj)
    return (yield)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """One asyncio event loop for the whole session, so session fixtures (the test database
    connection) and tests share it."""
    return "asyncio"


@pytest.fixture(scope="session")
def kwik_project() -> None:
    """Load the project's settings and apps (from KWIK_SETTINGS_MODULE or pyproject.toml)."""
    import kwik

    kwik.setup()


@pytest.fixture
def settings(kwik_project: None) -> Iterator[SettingsOverrides]:
    """Settings for this test: `settings.DEBUG = False` lasts until the test ends."""
    overrides = SettingsOverrides()
    try:
        yield overrides
    finally:
        overrides.restore()


@pytest.fixture
def app(kwik_project: None, settings: SettingsOverrides) -> Starlette:
    """The project's ASGI application, built after the test's settings overrides."""
    from kwik.asgi import get_application

    return get_application()


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """A test client for `app`; apps' startup and shutdown hooks run around the test."""
    from starlette.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client
