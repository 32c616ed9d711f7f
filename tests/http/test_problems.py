"""Every error is an RFC 9457 problem document (application/problem+json)."""

from __future__ import annotations

import datetime
import decimal
import uuid

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from kwik.http import PROBLEM_MEDIA_TYPE, HTTPError, Router, problem_response
from kwik.http.problems import http_exception_handler, server_error_handler, status_phrase


def app_with(router: Router, *, debug: bool = False) -> TestClient:
    app = Starlette(
        debug=debug,
        routes=router.routes,
        exception_handlers={
            HTTPException: http_exception_handler,
            Exception: server_error_handler,
        },
    )
    return TestClient(app, raise_server_exceptions=False)


def test_http_error_becomes_a_problem_with_its_type_title_detail_and_extensions():
    router = Router()

    @router.post("/orders")
    async def create() -> dict[str, str]:
        raise HTTPError(
            409,
            "Order 17 exists",
            title="Duplicate order",
            type="/problems/duplicate-order",
            headers={"X-Order": "17"},
            order=17,
        )

    response = app_with(router).post("/orders")

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["x-order"] == "17"
    assert response.json() == {
        "type": "/problems/duplicate-order",
        "title": "Duplicate order",
        "status": 409,
        "detail": "Order 17 exists",
        "order": 17,
    }


def test_extensions_may_hold_uuids_datetimes_and_decimals():
    router = Router()
    order_id = uuid.UUID("6f1c0a4e-8a51-4b53-9f57-2c7f5ad0b6a1")

    @router.post("/orders")
    async def create() -> dict[str, str]:
        raise HTTPError(
            409,
            "Order exists",
            order_id=order_id,
            placed_at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            total=decimal.Decimal("12.50"),
        )

    response = app_with(router).post("/orders")

    assert response.status_code == 409
    assert response.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Order exists",
        "order_id": "6f1c0a4e-8a51-4b53-9f57-2c7f5ad0b6a1",
        "placed_at": "2026-01-02T03:04:05Z",
        "total": "12.50",
    }


def test_title_defaults_to_the_status_phrase_and_type_to_about_blank():
    router = Router()

    @router.get("/gone")
    async def gone() -> dict[str, str]:
        raise HTTPError(410)

    assert app_with(router).get("/gone").json() == {
        "type": "about:blank",
        "title": "Gone",
        "status": 410,
    }


def test_an_unknown_path_is_a_404_problem():
    response = app_with(Router()).get("/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {"type": "about:blank", "title": "Not Found", "status": 404}


def test_a_wrong_method_is_a_405_problem_that_lists_the_allowed_methods():
    router = Router()

    @router.get("/only-get")
    async def only_get() -> dict[str, str]:
        return {}

    response = app_with(router).delete("/only-get")

    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert response.json()["title"] == "Method Not Allowed"


def test_a_405_allows_every_method_of_every_route_on_the_path():
    router = Router()

    @router.get("/things/{id:int}")
    async def read(id: int) -> dict[str, int]:
        return {"id": id}

    @router.delete("/things/{id:int}")
    async def remove(id: int) -> dict[str, int]:
        return {"id": id}

    @router.post("/things")
    async def create() -> dict[str, int]:
        return {}

    response = app_with(router).put("/things/3")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD"
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE


def test_an_unhandled_error_is_a_500_problem_that_shows_no_internals():
    router = Router()

    @router.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("database password is hunter2")

    response = app_with(router).get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
    }
    assert "hunter2" not in response.text


def test_with_debug_on_an_unhandled_error_shows_the_traceback():
    router = Router()

    @router.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("look here")

    response = app_with(router, debug=True).get("/boom", headers={"accept": "text/html"})

    assert response.status_code == 500
    assert "RuntimeError" in response.text
    assert "look here" in response.text


def test_problem_response_keeps_non_ascii_text_readable():
    response = problem_response(400, detail="Prix invalide : « 3,50 € »")

    assert "« 3,50 € »".encode() in response.body


def test_titles_use_rfc_9110_phrases_whatever_the_python_version():
    assert (status_phrase(413), status_phrase(422)) == (
        "Content Too Large",
        "Unprocessable Content",
    )
