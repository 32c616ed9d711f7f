"""The error pages a developer and a user see, rendered by headless Chromium."""

from __future__ import annotations

import pytest

import kwik
from kwik.asgi import get_application
from tests.support import serve

pytestmark = pytest.mark.browser

FAILING_URLS = """
from kwik.http import Router

router = Router()


@router.get("/checkout")
async def checkout() -> dict[str, str]:
    basket_total = 12
    raise ZeroDivisionError(f"cannot split {basket_total} between 0 people")
"""


def test_with_debug_on_the_browser_shows_a_readable_traceback(project, page):
    project.package("proj", {"urls.py": FAILING_URLS})
    project.settings('ROOT_URLCONF = "proj.urls"\n', debug=True)
    kwik.setup("proj.settings")

    with serve(get_application()) as base_url:
        response = page.goto(base_url + "/checkout")
        heading = page.locator("h2").first.inner_text()
        body = page.locator("body").inner_text()

    assert response.status == 500
    assert "ZeroDivisionError" in heading
    assert "cannot split 12 between 0 people" in body
    assert "proj/urls.py" in body
    assert "checkout" in body


def test_with_debug_off_the_browser_gets_a_problem_without_internals(project, page):
    project.package("proj", {"urls.py": FAILING_URLS})
    project.settings(
        'ROOT_URLCONF = "proj.urls"\nSECRET_KEY = "' + "s3cret-K3y!" * 6 + '"\n', debug=False
    )
    kwik.setup("proj.settings")

    with serve(get_application()) as base_url:
        response = page.goto(base_url + "/checkout")
        body = page.locator("body").inner_text()

    assert response.status == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert '"title":"Internal Server Error"' in body
    assert "ZeroDivisionError" not in body
    assert "basket" not in body
