"""Kwik's pytest plugin (registered by entry point): fixtures for testing a kwik project.

Fixtures: `kwik_project` (loads the project found from the working directory, once), `settings`
(assign to override for one test), `app` (the project's ASGI application) and `client` (a test
client that runs the application's lifespan). Nothing happens until a test asks for one, so the
plugin costs nothing in test suites that don't use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from kwik.testing.overrides import SettingsOverrides

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

__all__ = ["app", "client", "kwik_project", "settings"]


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
