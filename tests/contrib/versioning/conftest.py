"""Fixtures for the versioning tests: a project with the versioning app and the `users` app,
built again for each variation of the settings. Nothing here reads a database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

import kwik
import kwik.bootstrap
from tests.support import Project

SETTINGS = """
INSTALLED_APPS = ["kwik.contrib.versioning", "tests.contrib.versioning.users"]
API_VERSIONS = ["v1", "v2", "v3"]
"""

Build = Callable[..., Any]


@pytest.fixture
def build(project: Project) -> Build:
    """`build(**settings)`: the project's ASGI application with `settings` added to the
    defaults above; each call loads a new settings module, as a restarted server would."""
    count = itertools.count()

    def make(**extra: object) -> Any:
        from kwik.asgi import get_application

        kwik.bootstrap.reset()
        text = SETTINGS + "".join(f"{name} = {value!r}\n" for name, value in extra.items())
        module = f"proj.settings_{next(count)}"
        project.settings(text, module=module)
        kwik.setup(module)
        return get_application()

    return make


def client_of(app: Any) -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")
