"""The default Content-Security-Policy in a real browser (headless Chromium): an inline script
with the template's nonce runs and one without is blocked; kwik's Swagger UI still works."""

from __future__ import annotations

import pytest

from tests.contrib.security.headers.conftest import serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _violations(page: object) -> list[str]:
    """The CSP violations the page reports, as they happen."""
    found: list[str] = []

    def collect(message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text:
            found.append(text)

    page.on("console", collect)  # type: ignore[attr-defined]
    return found


def test_an_inline_script_runs_with_the_templates_nonce_and_not_without(build, page):
    violations = _violations(page)
    with serving(build()) as base_url:
        page.goto(f"{base_url}/pages/html")
        status = page.locator("#status")
        page.wait_for_function("document.getElementById('status').dataset.nonced === 'ran'")

        assert status.get_attribute("data-nonced") == "ran"
        assert status.get_attribute("data-plain") is None
        assert status.evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"
    assert len(violations) == 1
    assert "script-src" in violations[0]


def test_the_swagger_ui_docs_page_works_under_the_default_policy(build, page):
    violations = _violations(page)
    with serving(build()) as base_url:
        response = page.goto(f"{base_url}/docs")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".opblock-summary-path", timeout=15000)

        paths = page.locator(".opblock-summary-path").all_inner_texts()
        page.locator(".opblock-summary").first.click()
        page.wait_for_selector(".opblock-body", timeout=5000)
    assert "/pages/json" in " ".join(paths)
    assert violations == []
