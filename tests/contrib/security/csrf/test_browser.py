"""CSRF in a real browser: headless Chromium and real uvicorn servers, on SQLite and PostgreSQL.

A logged-in user's form, rendered with `csrf_input()`, submits fine. A page served by a second
server (another origin on the same host: the same *site*, so the `SameSite=Lax` session cookie
goes along) auto-submits a form to the first, and is refused.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

import kwik
from tests.conftest import fresh_database
from tests.contrib.security.csrf.conftest import CREDENTIALS, prepare_database, write_settings
from tests.contrib.security.csrf.helpers import make_user
from tests.support import Project, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

T = TypeVar("T")


def off_the_loop(function: Callable[..., T], *args: Any) -> T:
    """Call `function` on a worker thread: Playwright's sync API keeps an event loop running in
    this one, where asyncio.run() (making a database, arranging rows) is refused."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(function, *args).result()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def csrf_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str | None,
) -> Iterator[str]:
    """conftest's database, made and dropped off Playwright's loop."""
    folder: Path = tmp_path_factory.mktemp("csrf_browser")
    made = fresh_database(request.param, postgres_server, "kwik_csrf_browser", folder)
    url = off_the_loop(made.__enter__)
    try:
        yield url
    finally:
        off_the_loop(made.__exit__, None, None, None)


@pytest.fixture
def site(project: Project, csrf_database: str) -> Iterator[str]:
    """The project served by uvicorn, with a user in the database; its base URL."""
    from kwik.asgi import get_application
    from kwik.db import database

    write_settings(project, csrf_database)
    kwik.setup("proj.settings")

    async def arrange() -> None:
        try:
            await prepare_database(csrf_database)
            await make_user()
        finally:
            await database().dispose()  # the server's event loop opens its own connections

    off_the_loop(asyncio.run, arrange())
    with serve(get_application()) as base_url:
        yield base_url


def attacker_page(target: str) -> Starlette:
    """Another origin's page that posts a form to `target` as soon as it loads."""
    html = f"""<!doctype html><html><body>
    <form method="post" action="{target}"><input name="title" value="pwned"></form>
    <script>document.forms[0].submit()</script></body></html>"""

    async def page(request: object) -> HTMLResponse:
        return HTMLResponse(html)

    return Starlette(routes=[Route("/", page)])


def log_in(page: object, base_url: str) -> None:
    """A browser session: the login request shares the page's cookie jar."""
    response = page.request.post(  # type: ignore[attr-defined]
        f"{base_url}/auth/session",
        data=json.dumps(CREDENTIALS),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200, response.text()


def test_a_same_origin_form_with_csrf_input_submits(site, page):
    log_in(page, site)
    page.goto(f"{site}/site/form")
    page.fill("#title", "Hello from Chromium")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#send")

    assert answer.value.status == 200
    assert answer.value.json() == {
        "title": "Hello from Chromium",
        "tags": [],
        "by": "ada@example.com",
    }


def test_a_form_auto_submitted_from_another_origin_is_refused(site, page):
    log_in(page, site)
    page.goto(f"{site}/site/form")  # the browser has its CSRF cookie too

    with serve(attacker_page(f"{site}/site/form")) as attacker:
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.goto(attacker)
        sent = answer.value.request.all_headers()

    assert answer.value.status == 403
    assert answer.value.json()["type"] == "urn:kwik:problem:csrf-cross-origin"
    assert "kwik_session=" in sent.get("cookie", "")  # the cookie went along: CSRF refused it
    assert sent["origin"] == attacker
