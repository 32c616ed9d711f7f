"""/docs in headless Chromium: Swagger UI loads the document offline and shows the operations."""

from __future__ import annotations

import pytest

import kwik
from kwik.asgi import get_application
from tests.support import serve

pytestmark = pytest.mark.browser


def test_swagger_ui_shows_the_operations_without_the_network(project, page):
    project.settings('INSTALLED_APPS = ["tests.openapi.sample_app"]\nOPENAPI_TITLE = "Sample"\n')
    kwik.setup("proj.settings")
    requested: list[str] = []
    errors: list[str] = []

    with serve(get_application()) as base_url:

        def only_local(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            requested.append(url)
            if url.startswith(base_url):
                route.continue_()  # type: ignore[attr-defined]
            else:
                route.abort()  # type: ignore[attr-defined]

        page.route("**/*", only_local)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base_url + "/docs")
        page.wait_for_selector(".opblock-summary", timeout=15_000)
        title = page.locator(".info .title").inner_text()
        operations = page.locator(".opblock-summary").all_inner_texts()
        page.locator(".opblock-summary", has_text="Create an item").click()
        page.wait_for_selector(".opblock-body", timeout=5_000)
        details = page.locator(".opblock-body").inner_text()

    assert errors == []
    assert all(url.startswith(base_url) for url in requested), requested
    assert base_url + "/openapi.json" in requested
    assert title.startswith("Sample")
    summaries = [" ".join(text.split()) for text in operations]
    assert any(text.startswith("GET /api/items/ List items") for text in summaries), summaries
    assert any(text.startswith("POST /api/items/ Create an item") for text in summaries)
    assert any(text.startswith("DELETE /api/items/{item_id}") for text in summaries)
    assert "application/json" in details
    assert "201" in details
    assert "422" in details
    assert "application/problem+json" in details
