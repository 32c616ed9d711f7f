"""The OpenAPI settings refuse values that could not work, naming the setting."""

from __future__ import annotations

import re

import pytest

import kwik
from kwik.exceptions import ImproperlyConfigured


@pytest.mark.parametrize("value", ["docs", "/docs/", "/items/{id}"])
def test_a_documentation_url_must_be_a_fixed_path(project, value):
    project.settings(f"DOCS_URL = {value!r}\n")

    with pytest.raises(
        ImproperlyConfigured, match=re.escape(f"Invalid setting DOCS_URL = '{value}'")
    ):
        kwik.setup("proj.settings")


def test_the_docs_page_needs_the_document(project):
    project.settings('OPENAPI_URL = None\nDOCS_URL = "/docs"\n')

    with pytest.raises(ImproperlyConfigured, match="DOCS_URL is '/docs' but OPENAPI_URL is None"):
        kwik.setup("proj.settings")


def test_the_two_urls_differ(project):
    project.settings('OPENAPI_URL = "/api"\nDOCS_URL = "/api"\n')

    with pytest.raises(ImproperlyConfigured, match="both '/api'"):
        kwik.setup("proj.settings")


def test_a_server_needs_a_url(project):
    project.settings('OPENAPI_SERVERS = [{"description": "Production"}]\n')

    with pytest.raises(
        ImproperlyConfigured, match=r"Invalid setting OPENAPI_SERVERS.*has no 'url'"
    ):
        kwik.setup("proj.settings")
