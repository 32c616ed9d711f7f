"""Fixtures for the tests of security headers, CORS and trusted proxies: a project with the
security app and the `pages` app, built again for each variation of the settings.

Nothing here touches a database (headers, CORS and the client's address read no table), so
these tests run once, on the SQLite file a project gets by default.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
import uvicorn

import kwik
import kwik.bootstrap
from tests.support import Project, free_port

SECRET_KEY = "tests-of-kwik-contrib-security-headers-with-a-long-enough-random-key-0123456789"
SETTINGS = """
SECRET_KEY = {secret!r}
INSTALLED_APPS = ["kwik.contrib.security", "tests.contrib.security.headers.pages"]
RATE_LIMIT_ROUTES = {{}}
"""

Build = Callable[..., Any]


@pytest.fixture
def build(project: Project) -> Build:
    """`build(**settings)`: the project's ASGI application with `settings` added (DEBUG off
    unless given); each call loads a new settings module, as a restarted server would."""
    count = itertools.count()

    def make(**extra: object) -> Any:
        from kwik.asgi import get_application

        kwik.bootstrap.reset()
        debug = bool(extra.pop("DEBUG", False))
        text = SETTINGS.format(secret=SECRET_KEY)
        text += "".join(f"{name} = {value!r}\n" for name, value in extra.items())
        module = f"proj.settings_{next(count)}"
        project.settings(text, module=module, debug=debug)
        kwik.setup(module)
        return get_application()

    return make


def client_of(
    app: Any, *, base_url: str = "http://testserver", peer: tuple[str, int] = ("127.0.0.1", 123)
) -> httpx2.AsyncClient:
    """An in-process client of `app`; `peer` is the socket address the application sees."""
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False, client=peer)
    return httpx2.AsyncClient(transport=transport, base_url=base_url)


@contextmanager
def serving(app: Any, **options: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on a real socket in a thread (`options` go to uvicorn's
    Config); yield its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), log_level="critical", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
