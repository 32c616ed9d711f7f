"""HTML through Jinja2: render() over TEMPLATE_DIRS then each app's templates/ folder."""

from __future__ import annotations

import pytest

import kwik
from kwik.http import HTMLResponse, Request, Router, render
from kwik.http.templates import get_templates
from kwik.testing import override_settings
from tests.http.clients import client_for


@pytest.fixture
def site(project):
    """A project with its own templates folder and an app `shop` with templates of its own."""
    project.write("templates/base.html", "<title>{% block title %}{% endblock %}</title>")
    project.write("templates/shop/override.html", "project wins")
    project.package(
        "shop",
        {
            "templates/shop/home.html": (
                '{% extends "base.html" %}{% block title %}{{ name }}{% endblock %}'
            ),
            "templates/shop/override.html": "app loses",
            "templates/shop/links.html": (
                "{{ url_for('page', slug='about') }} {{ request.url.path }}"
            ),
        },
    )
    project.settings('INSTALLED_APPS = ["shop"]\nTEMPLATE_DIRS = ["templates"]')
    kwik.setup("proj.settings")
    return project


def page_router(template: str, context: dict[str, object], status_code: int = 200) -> Router:
    router = Router()

    @router.get("/pages/{slug}")
    async def page(request: Request, slug: str) -> HTMLResponse:
        return render(request, template, context, status_code=status_code)

    return router


def test_render_answers_with_html_from_an_apps_templates(site):
    response = client_for(page_router("shop/home.html", {"name": "Lamps"})).get("/pages/x")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<title>Lamps</title>"


def test_template_dirs_come_before_app_templates(site):
    response = client_for(page_router("shop/override.html", {})).get("/pages/x")

    assert response.text == "project wins"


def test_values_are_escaped(site):
    router = page_router("shop/home.html", {"name": "<script>alert(1)</script>"})

    assert client_for(router).get("/pages/x").text == (
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"
    )


def test_templates_see_the_request_and_url_for(site):
    response = client_for(page_router("shop/links.html", {})).get("/pages/contact")

    assert response.text == "http://testserver/pages/about /pages/contact"


def test_render_takes_a_status_code(site):
    response = client_for(page_router("shop/home.html", {"name": "Gone"}, 410)).get("/pages/x")

    assert response.status_code == 410


def test_the_environment_is_built_once(site):
    assert get_templates() is get_templates()


def test_overriding_template_dirs_builds_a_new_environment(site, tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "base.html").write_text("other base")
    first = get_templates()

    with override_settings(TEMPLATE_DIRS=[tmp_path / "other"]):
        assert get_templates() is not first
        assert get_templates().get_template("base.html").render() == "other base"
