"""FixedPaths: kwik's own fixed URLs matched as one route, with the behaviour of plain routes."""

from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import NoMatchFound, Route
from starlette.testclient import TestClient

from kwik.http import Kwik, Request
from kwik.http.fixed_paths import FixedPaths


async def _doc(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"doc at {request.url_for('doc')}")


async def _page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("page")


async def _catch_all(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"project {request.path_params['slug']}")


def _client(root_path: str = "") -> TestClient:
    fixed = FixedPaths([Route("/doc.json", _doc, name="doc"), Route("/docs", _page, name="page")])
    app = Kwik(routes=[fixed, Route("/{slug}", _catch_all)], max_body_size=None)
    return TestClient(app, root_path=root_path)


def test_each_fixed_path_answers_before_the_project_routes():
    client = _client()

    assert client.get("/docs").text == "page"
    assert client.get("/doc.json").text == "doc at http://testserver/doc.json"
    assert client.get("/other").text == "project other"


def test_a_wrong_method_on_a_fixed_path_is_a_405_naming_its_methods():
    response = _client().post("/docs")

    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_paths_are_matched_below_the_root_path():
    client = _client(root_path="/api")

    assert client.get("/api/docs").text == "page"
    assert client.get("/api/doc.json").text == "doc at http://testserver/api/doc.json"


def test_names_resolve_through_the_group():
    fixed = FixedPaths([Route("/doc.json", _doc, name="doc")])

    assert fixed.url_path_for("doc") == "/doc.json"
    with pytest.raises(NoMatchFound):
        fixed.url_path_for("missing")


def test_a_route_with_parameters_is_refused():
    with pytest.raises(ValueError, match="path parameters"):
        FixedPaths([Route("/docs/{name}", _page)])
