"""Versioning over real sockets: uvicorn serving the test API to an HTTP client, and the docs
page's version selector in headless Chromium."""

from __future__ import annotations

import httpx2
import pytest

from tests.support import serve


def test_a_real_server_serves_each_version_with_its_headers_and_shapes(build):
    app = build(API_VERSIONING=["url", "header"])
    with serve(app) as base_url, httpx2.Client(base_url=base_url) as client:
        v1 = client.get("/v1/users/3")
        by_header = client.get("/users/3", headers={"Accept-Version": "v1"})
        latest = client.get("/users/3")
        legacy = client.get("/v2/legacy")
        created = client.post("/v1/users", json={"full_name": "Eve"})
        gone = client.get("/v1/retired")
    assert v1.json() == by_header.json() == {"id": 3, "full_name": "Alice", "fax": ""}
    assert latest.json() == {"id": 3, "name": "Alice", "nickname": "al"}
    assert legacy.headers["deprecation"].startswith("@")
    assert created.status_code == 201
    assert created.json() == {"id": 2, "full_name": "Eve", "fax": ""}
    assert gone.status_code == 410


@pytest.mark.browser
def test_the_docs_page_switches_between_version_documents(build, page):
    app = build()
    errors: list[str] = []
    with serve(app) as base_url:
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base_url + "/docs")
        page.wait_for_selector(".opblock-summary", timeout=15_000)
        options = page.locator("#kwik-document option").all_inner_texts()
        chosen = page.locator("#kwik-document").input_value()
        latest = " ".join(page.locator(".opblock-summary").all_inner_texts())
        page.select_option("#kwik-document", label="v1")
        page.wait_for_function(
            "() => document.querySelector('#swagger-ui').innerText.includes('/v1/legacy')",
            timeout=15_000,
        )
        first = " ".join(page.locator(".opblock-summary").all_inner_texts())
        address = page.url
        page.goto(base_url + "/docs?document=v2")
        page.wait_for_selector(".opblock-summary", timeout=15_000)
        linked = " ".join(page.locator(".opblock-summary").all_inner_texts())
    assert errors == []
    assert options == ["v3", "v1", "v2"]  # the default first
    assert chosen.endswith("/openapi/v3.json")
    assert "/v3/reports" in latest
    assert "/v1/" not in latest
    assert "/v1/legacy" in first
    assert "/v3/" not in first
    assert address.endswith("?document=v1")
    assert "/v2/legacy" in linked
