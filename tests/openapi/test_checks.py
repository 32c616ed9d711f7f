"""`kwik check` on OpenAPI: the document's URLs against the project's routes, and the document."""

from __future__ import annotations

import kwik
import kwik.http.openapi.project as project_module
from kwik.checks import ERROR, WARNING, run_checks

URLS = """
from kwik.http import Router

router = Router()


@router.get("{path}")
async def page(request) -> dict[str, str]:
    return {{}}
"""


def findings(project, path: str, settings: str = "") -> list:
    project.package("proj", {"urls.py": URLS.format(path=path)})
    project.settings('ROOT_URLCONF = "proj.urls"\n' + settings)
    kwik.setup("proj.settings")
    return [m for m in run_checks() if m.id in ("kwik.E006", "kwik.W002", "kwik.E007")]


def test_no_clash_no_finding(project):
    assert findings(project, "/items") == []


def test_a_route_on_the_docs_url_is_an_error(project):
    [found] = findings(project, "/docs")

    assert (found.id, found.level, found.obj) == ("kwik.E006", ERROR, "project")
    assert (
        found.msg
        == "GET /docs is kwik's (kwik:docs) and also routed to page, which is never reached"
    )


def test_a_route_on_the_openapi_url_is_an_error(project):
    [found] = findings(project, "/openapi.json")

    assert found.id == "kwik.E006"


def test_a_route_on_a_docs_file_is_an_error(project):
    [found] = findings(project, "/docs/swagger-ui.css")

    assert found.id == "kwik.E006"


def test_a_route_pattern_matching_a_documentation_url_is_a_warning(project):
    found = findings(project, "/{slug}")

    assert {(m.id, m.level) for m in found} == {("kwik.W002", WARNING)}
    assert [m.msg for m in found] == [
        "Route page (/{slug}) also matches GET /openapi.json, which kwik answers itself "
        "(kwik:openapi)",
        "Route page (/{slug}) also matches GET /docs, which kwik answers itself (kwik:docs)",
    ]


def test_moving_the_docs_settles_a_clash(project):
    assert findings(project, "/docs", 'DOCS_URL = "/api/docs"\n') == []


def test_turning_openapi_off_checks_nothing(project):
    assert findings(project, "/docs", "OPENAPI_URL = None\nDOCS_URL = None\n") == []


def test_a_document_that_cannot_be_built_is_an_error(project, monkeypatch):
    def broken(*args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError("no schema for Thing")

    monkeypatch.setattr(project_module, "build_document", broken)

    [found] = findings(project, "/items")

    assert (found.id, found.level) == ("kwik.E007", ERROR)
    assert found.msg == "The OpenAPI document can't be built: ValueError: no schema for Thing"
