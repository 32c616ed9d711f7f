"""Responses: the response schema filters, status codes, the injected Response, and Starlette
responses (streaming, files, redirects) passed through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import BaseModel, Field

from kwik.http import (
    Depends,
    FileResponse,
    RedirectResponse,
    Response,
    Router,
    StreamingResponse,
)
from tests.http.clients import client_for, problem


class UserOut(BaseModel):
    id: int
    name: str


class UserInDB(UserOut):
    password_hash: str


class Account(BaseModel):
    id: int
    name: str
    password_hash: str


class Row:
    """What an ORM returns: an object with attributes, not a dict."""

    def __init__(self, id: int, name: str, password_hash: str) -> None:
        self.id = id
        self.name = name
        self.password_hash = password_hash


class Aliased(BaseModel):
    full_name: str = Field(serialization_alias="fullName")


def test_response_model_filters_out_fields_it_does_not_declare():
    router = Router()

    @router.get("/users/{user_id:int}", response_model=UserOut)
    async def user(user_id: int) -> Account:
        return Account(id=user_id, name="ada", password_hash="pbkdf2$secret")

    response = client_for(router).get("/users/1")

    assert response.json() == {"id": 1, "name": "ada"}
    assert "password_hash" not in response.text


def test_the_return_annotation_filters_a_richer_subclass():
    router = Router()

    @router.get("/me")
    async def me() -> UserOut:
        return UserInDB(id=1, name="ada", password_hash="pbkdf2$secret")

    response = client_for(router).get("/me")

    assert response.json() == {"id": 1, "name": "ada"}
    assert "secret" not in response.text


def test_an_orm_object_is_read_through_its_attributes():
    router = Router()

    @router.get("/users")
    async def users() -> list[UserOut]:
        return [Row(1, "ada", "x"), Row(2, "bob", "y")]  # type: ignore[list-item]

    response = client_for(router).get("/users")

    assert response.json() == [{"id": 1, "name": "ada"}, {"id": 2, "name": "bob"}]
    assert "password_hash" not in response.text


def test_dict_values_are_filtered_by_a_typed_dict_annotation():
    router = Router()

    @router.get("/totals")
    async def totals() -> dict[str, int]:
        return {"a": 1, "b": True}

    assert client_for(router).get("/totals").json() == {"a": 1, "b": 1}


def test_an_unannotated_handler_returns_its_data_as_json():
    router = Router()

    @router.get("/raw")
    async def raw():
        return {"user": UserInDB(id=1, name="ada", password_hash="h"), "n": [1, 2]}

    assert client_for(router).get("/raw").json() == {
        "user": {"id": 1, "name": "ada", "password_hash": "h"},
        "n": [1, 2],
    }


def test_response_model_none_turns_the_schema_off():
    router = Router()

    @router.get("/anything", response_model=None)
    async def anything() -> UserOut:
        return {"free": "form"}  # type: ignore[return-value]

    assert client_for(router).get("/anything").json() == {"free": "form"}


def test_fields_are_sent_by_their_serialization_alias():
    router = Router()

    @router.get("/person")
    async def person() -> Aliased:
        return Aliased(full_name="Ada Lovelace")

    assert client_for(router).get("/person").json() == {"fullName": "Ada Lovelace"}


def test_a_result_the_response_model_refuses_is_a_500_that_shows_nothing():
    router = Router()

    @router.get("/broken")
    async def broken() -> UserOut:
        return {"id": "not a number", "name": "ada"}  # type: ignore[return-value]

    response = client_for(router).get("/broken")

    assert response.status_code == 500
    assert problem(response) == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
    }


def test_status_code_sets_the_success_status():
    router = Router()

    @router.post("/users", status_code=201)
    async def create() -> UserOut:
        return UserOut(id=1, name="ada")

    response = client_for(router).post("/users")

    assert response.status_code == 201
    assert response.json() == {"id": 1, "name": "ada"}


def test_none_with_status_204_is_an_empty_response():
    router = Router()

    @router.delete("/users/{user_id:int}", status_code=204)
    async def delete(user_id: int) -> None:
        return None

    response = client_for(router).delete("/users/1")

    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers


def test_the_injected_response_sets_headers_cookies_and_status():
    router = Router()

    @router.post("/login")
    async def login(response: Response) -> dict[str, str]:
        response.headers["X-Welcome"] = "yes"
        response.set_cookie("session", "abc", httponly=True)
        response.status_code = 202
        return {"status": "ok"}

    reply = client_for(router).post("/login")

    assert reply.status_code == 202
    assert reply.headers["x-welcome"] == "yes"
    assert reply.cookies["session"] == "abc"
    assert reply.json() == {"status": "ok"}
    assert reply.headers["content-length"] == str(len(reply.content))


def test_without_a_status_the_injected_response_keeps_the_route_status():
    router = Router()

    @router.post("/items", status_code=201)
    async def create(response: Response) -> dict[str, int]:
        response.headers["Location"] = "/items/1"
        return {"id": 1}

    reply = client_for(router).post("/items")

    assert (reply.status_code, reply.headers["location"]) == (201, "/items/1")


def test_a_content_type_set_on_the_injected_response_replaces_the_json_one():
    router = Router()

    @router.get("/article")
    async def article(response: Response) -> dict[str, str]:
        response.headers["Content-Type"] = "application/vnd.api+json"
        return {"title": "Lamps"}

    reply = client_for(router).get("/article")

    assert reply.headers.get_list("content-type") == ["application/vnd.api+json"]
    assert reply.headers.get_list("content-length") == [str(len(reply.content))]
    assert reply.json() == {"title": "Lamps"}


def test_status_205_set_on_the_injected_response_sends_no_body():
    router = Router()

    @router.post("/form", status_code=201)
    async def submit(response: Response) -> dict[str, str]:
        response.status_code = 205
        return {"status": "reset"}

    reply = client_for(router).post("/form")

    assert reply.status_code == 205
    assert reply.content == b""
    assert "content-type" not in reply.headers


def test_a_route_answering_205_sends_no_body():
    router = Router()

    @router.post("/form", status_code=205)
    async def submit() -> dict[str, str]:
        return {"status": "reset"}

    reply = client_for(router).post("/form")

    assert (reply.status_code, reply.content) == (205, b"")


def test_a_dependency_shares_the_injected_response_with_the_handler():
    router = Router()

    def tag_response(response: Response) -> None:
        response.headers["X-Served-By"] = "kwik"

    @router.get("/tagged", dependencies=[Depends(tag_response)])
    async def tagged(response: Response) -> dict[str, str]:
        response.headers["X-Handler"] = "yes"
        return {}

    reply = client_for(router).get("/tagged")

    assert (reply.headers["x-served-by"], reply.headers["x-handler"]) == ("kwik", "yes")


def test_a_returned_response_is_sent_as_it_is():
    router = Router()

    @router.get("/teapot")
    async def teapot(response: Response) -> Response:
        response.headers["X-Ignored"] = "yes"
        return Response(b"short and stout", status_code=418, media_type="text/plain")

    reply = client_for(router).get("/teapot")

    assert (reply.status_code, reply.text) == (418, "short and stout")
    assert "x-ignored" not in reply.headers


def test_a_streaming_response_streams():
    router = Router()

    @router.get("/count")
    async def count() -> StreamingResponse:
        async def numbers() -> AsyncIterator[bytes]:
            for number in range(3):
                yield f"{number}\n".encode()

        return StreamingResponse(numbers(), media_type="text/plain")

    with client_for(router).stream("GET", "/count") as reply:
        chunks = list(reply.iter_lines())

    assert chunks == ["0", "1", "2"]


def test_a_file_response_sends_the_file(tmp_path: Path):
    router = Router()
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")

    @router.get("/report")
    async def download() -> FileResponse:
        return FileResponse(report, filename="report.csv")

    reply = client_for(router).get("/report")

    assert reply.text == "a,b\n1,2\n"
    assert reply.headers["content-disposition"] == 'attachment; filename="report.csv"'


def test_a_redirect_response_redirects():
    router = Router()

    @router.get("/old")
    async def old() -> RedirectResponse:
        return RedirectResponse("/new", status_code=301)

    reply = client_for(router).get("/old", follow_redirects=False)

    assert (reply.status_code, reply.headers["location"]) == (301, "/new")
