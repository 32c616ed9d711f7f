"""Form fields and file uploads: Form(), File(), UploadFile, grouped forms, and their errors."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Depends, File, Form, Router, UploadFile
from tests.http.clients import client_for, problem


class Login(BaseModel):
    username: str = Field(min_length=3)
    remember: bool = False


class Item(BaseModel):
    name: str


def test_form_fields_are_read_from_an_urlencoded_body():
    router = Router()

    @router.post("/login")
    async def login(
        username: Annotated[str, Form()], remember: Annotated[bool, Form()] = False
    ) -> dict[str, object]:
        return {"username": username, "remember": remember}

    response = client_for(router).post("/login", data={"username": "ada", "remember": "on"})

    assert response.json() == {"username": "ada", "remember": True}


def test_a_missing_form_field_is_a_422_located_in_the_body():
    router = Router()

    @router.post("/login")
    async def login(username: Annotated[str, Form(min_length=3)]) -> dict[str, str]:
        return {"username": username}

    client = client_for(router)

    assert problem(client.post("/login", data={}))["errors"] == [
        {"loc": ["body", "username"], "msg": "Field required", "type": "missing"}
    ]
    assert problem(client.post("/login", data={"username": "al"}))["errors"][0]["type"] == (
        "string_too_short"
    )


def test_an_empty_form_field_counts_as_absent():
    router = Router()

    @router.post("/search")
    async def search(page: Annotated[int, Form()] = 1) -> dict[str, int]:
        return {"page": page}

    assert client_for(router).post("/search", data={"page": ""}).json() == {"page": 1}


def test_an_uploaded_file_arrives_as_an_upload_file():
    router = Router()

    @router.post("/avatar")
    async def avatar(
        image: Annotated[UploadFile, File()], caption: Annotated[str, Form()]
    ) -> dict[str, object]:
        return {
            "filename": image.filename,
            "type": image.content_type,
            "content": (await image.read()).decode(),
            "caption": caption,
        }

    response = client_for(router).post(
        "/avatar",
        data={"caption": "me"},
        files={"image": ("me.txt", b"pixels", "text/plain")},
    )

    assert response.json() == {
        "filename": "me.txt",
        "type": "text/plain",
        "content": "pixels",
        "caption": "me",
    }


def test_an_upload_file_annotation_needs_no_marker():
    router = Router()

    @router.post("/upload")
    async def upload(document: UploadFile) -> dict[str, int]:
        return {"size": len(await document.read())}

    response = client_for(router).post("/upload", files={"document": ("a.bin", b"12345")})

    assert response.json() == {"size": 5}


def test_a_file_annotated_bytes_receives_its_content():
    router = Router()

    @router.post("/checksum")
    async def checksum(data: Annotated[bytes, File()]) -> dict[str, int]:
        return {"length": len(data)}

    response = client_for(router).post("/checksum", files={"data": ("d", b"abc")})

    assert response.json() == {"length": 3}


def test_several_files_under_one_name_arrive_as_a_list():
    router = Router()

    @router.post("/gallery")
    async def gallery(photos: Annotated[list[UploadFile], File()]) -> list[str | None]:
        return [photo.filename for photo in photos]

    response = client_for(router).post(
        "/gallery", files=[("photos", ("a.png", b"a")), ("photos", ("b.png", b"b"))]
    )

    assert response.json() == ["a.png", "b.png"]


def test_a_missing_file_is_a_422():
    router = Router()

    @router.post("/upload")
    async def upload(document: Annotated[UploadFile, File()]) -> dict[str, str]:
        return {}

    response = client_for(router).post("/upload", data={"other": "x"})

    assert problem(response)["errors"] == [
        {"loc": ["body", "document"], "msg": "Field required", "type": "missing"}
    ]


def test_a_text_field_where_a_file_is_expected_is_a_422():
    router = Router()

    @router.post("/upload")
    async def upload(document: Annotated[UploadFile, File()]) -> dict[str, str]:
        return {}

    response = client_for(router).post("/upload", data={"document": "not a file"})

    assert problem(response)["errors"][0]["loc"] == ["body", "document"]


def test_uploaded_files_are_closed_after_the_response():
    router = Router()
    seen: list[UploadFile] = []

    @router.post("/upload")
    async def upload(document: Annotated[UploadFile, File()]) -> dict[str, bool]:
        seen.append(document)
        return {"closed": document.file.closed}

    response = client_for(router).post("/upload", files={"document": ("a", b"x")})

    assert response.json() == {"closed": False}
    assert seen[0].file.closed


def test_a_model_annotated_form_groups_fields():
    router = Router()

    @router.post("/login")
    async def login(form: Annotated[Login, Form()]) -> Login:
        return form

    client = client_for(router)

    assert client.post("/login", data={"username": "ada", "remember": "true"}).json() == {
        "username": "ada",
        "remember": True,
    }
    assert problem(client.post("/login", data={"username": "a"}))["errors"][0]["loc"] == [
        "body",
        "username",
    ]


def test_a_json_body_sent_to_a_form_endpoint_is_a_415():
    router = Router()

    @router.post("/login")
    async def login(username: Annotated[str, Form()]) -> dict[str, str]:
        return {}

    response = client_for(router).post("/login", json={"username": "ada"})

    assert response.status_code == 415
    assert problem(response) == {
        "type": "about:blank",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "This endpoint reads multipart/form-data or "
        "application/x-www-form-urlencoded; the request's Content-Type is application/json",
    }


def test_a_handler_reading_both_json_and_a_form_is_refused_at_declaration():
    router = Router()

    async def mixed(item: Item, note: Annotated[str, Form()]) -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match="read either JSON or a form"):
        router.post("/x")(mixed)


async def audit(item: Item) -> str:
    return item.name


async def note_field(note: Annotated[str, Form()]) -> str:
    return note


def test_a_form_handler_with_a_dependency_reading_json_is_refused_at_declaration():
    router = Router()

    async def rename(
        name: Annotated[str, Form()], audited: Annotated[str, Depends(audit)]
    ) -> dict[str, str]:
        return {}

    with pytest.raises(
        ImproperlyConfigured,
        match=r"audit reads the JSON body \('item'\) and .*rename reads form fields \('name'\)",
    ):
        router.post("/rename")(rename)


def test_a_json_handler_with_a_route_dependency_reading_a_form_is_refused_at_declaration():
    router = Router()

    async def create(item: Item) -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"note_field reads form fields \('note'\)"):
        router.post("/items", dependencies=[Depends(note_field)])(create)
