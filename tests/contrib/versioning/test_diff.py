"""`diff_documents()`: what changed between two versions' OpenAPI documents, and what breaks the
old version's clients. Every document here is generated from real routes and Pydantic models."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from kwik.contrib.versioning.diff import Difference, diff_documents, render_json, render_text
from kwik.http import Form, Query
from kwik.http.openapi import openapi_document
from kwik.http.routing import Route


def document(*routes: Route) -> dict[str, Any]:
    return openapi_document(routes, title="t", version="1")


def lines(old: dict[str, Any], new: dict[str, Any], **prefixes: str) -> list[str]:
    return [str(difference) for difference in diff_documents(old, new, **prefixes)]


async def read_one(user_id: int) -> None:
    raise NotImplementedError


async def read_all() -> None:
    raise NotImplementedError


def get(path: str, returns: Any) -> Route:
    """GET `path` (which may take a `{user_id:int}`) answering with a `returns`."""
    handler = read_one if "{user_id:int}" in path else read_all
    return Route(path, handler, methods=["GET"], response_model=returns)


def post(path: str, model: type[BaseModel]) -> Route:
    """POST `path` taking a `model` as its JSON body and answering with one."""

    async def create(item: Any) -> Any:
        return item

    create.__annotations__ = {"item": model, "return": model}
    return Route(path, create, methods=["POST"])


class UserV1(BaseModel):
    id: int
    name: str


class UserV2(BaseModel):
    id: int
    full_name: str


class Address(BaseModel):
    city: str
    zip: str


class AddressWithPostcode(BaseModel):
    city: str
    postcode: str


class Customer(BaseModel):
    address: Address


class CustomerWithPostcode(BaseModel):
    address: AddressWithPostcode


class CustomerWithoutAddress(BaseModel):
    pass


class Line(BaseModel):
    sku: str
    quantity: int


class FractionalLine(BaseModel):
    sku: str
    quantity: float


class Order(BaseModel):
    lines: list[Line]


class FractionalOrder(BaseModel):
    lines: list[FractionalLine]


class Directory(BaseModel):
    offices: dict[str, Address]


class DirectoryWithPostcodes(BaseModel):
    offices: dict[str, AddressWithPostcode]


class Category(BaseModel):
    name: str
    children: list[Category] = []


class SluggedCategory(BaseModel):
    name: str
    slug: str
    children: list[SluggedCategory] = []


class PriceAsInteger(BaseModel):
    price: int


class PriceAsText(BaseModel):
    price: str


class Note(BaseModel):
    text: str


class NullableNote(BaseModel):
    text: str | None


class OptionalNick(BaseModel):
    nick: str | None = None


class RequiredNick(BaseModel):
    nick: str | None


class Signup(BaseModel):
    email: str


class SignupWithReferrer(BaseModel):
    email: str
    referrer: str | None = None


class SignupWithPlan(BaseModel):
    email: str
    plan: str


def signup(model: type[BaseModel]) -> Route:
    """POST /signup taking a `model`, answering with no body: only the request changes."""

    async def register(form: Any) -> None:
        return None

    register.__annotations__ = {"form": model, "return": None}
    return Route("/signup", register, methods=["POST"])


def test_identical_documents_have_no_differences():
    routes = (get("/users/{user_id:int}", UserV1), post("/orders", Order), get("/c", Category))

    assert diff_documents(document(*routes), document(*routes)) == []


def test_a_renamed_response_field_shows_as_one_field_removed_and_another_added():
    old = document(get("/users/{user_id:int}", UserV1))
    new = document(get("/users/{user_id:int}", UserV2))

    assert lines(old, new) == [
        "~ GET /users/{user_id}: response 200 field full_name: added, required string",
        "~ GET /users/{user_id}: response 200 field name: removed, required string (breaking)",
    ]


def test_a_changed_field_type_breaks_clients_both_in_requests_and_in_responses():
    old = document(post("/items", PriceAsInteger))
    new = document(post("/items", PriceAsText))

    assert lines(old, new) == [
        "~ POST /items: request body field price: type integer -> string (breaking)",
        "~ POST /items: response 200 field price: type integer -> string (breaking)",
    ]


def test_a_field_made_nullable_breaks_responses_but_not_requests():
    old = document(post("/notes", Note))
    new = document(post("/notes", NullableNote))

    assert lines(old, new) == [
        "~ POST /notes: request body field text: type string -> string | null",
        "~ POST /notes: response 200 field text: type string -> string | null (breaking)",
    ]


def test_a_field_no_longer_nullable_breaks_requests_but_not_responses():
    old = document(post("/notes", NullableNote))
    new = document(post("/notes", Note))

    assert lines(old, new) == [
        "~ POST /notes: request body field text: type string | null -> string (breaking)",
        "~ POST /notes: response 200 field text: type string | null -> string",
    ]


def test_an_optional_request_field_made_required_breaks_clients_that_leave_it_out():
    old = document(post("/profiles", OptionalNick))
    new = document(post("/profiles", RequiredNick))

    assert lines(old, new) == [
        "~ POST /profiles: request body field nick: now required (breaking)",
        "~ POST /profiles: response 200 field nick: now required",
    ]


def test_a_response_field_made_optional_breaks_clients_that_rely_on_it():
    old = document(post("/profiles", RequiredNick))
    new = document(post("/profiles", OptionalNick))

    assert lines(old, new) == [
        "~ POST /profiles: request body field nick: no longer required",
        "~ POST /profiles: response 200 field nick: no longer required (breaking)",
    ]


def test_a_removed_request_field_is_not_breaking_because_the_server_ignores_it():
    old = document(signup(SignupWithReferrer))
    new = document(signup(Signup))

    differences = diff_documents(old, new)

    assert differences == [
        Difference(
            "removed", "POST /signup", "request body field referrer", "optional string | null"
        )
    ]
    assert not differences[0].breaking


def test_a_request_field_added_as_required_is_breaking_but_an_optional_one_is_not():
    old = document(signup(Signup))

    assert lines(old, document(signup(SignupWithPlan))) == [
        "~ POST /signup: request body field plan: added, required string (breaking)"
    ]
    assert lines(old, document(signup(SignupWithReferrer))) == [
        "~ POST /signup: request body field referrer: added, optional string | null"
    ]


def test_nested_model_fields_are_compared_under_dotted_names():
    old = document(get("/customers", Customer))
    new = document(get("/customers", CustomerWithPostcode))

    assert lines(old, new) == [
        "~ GET /customers: response 200 field address.postcode: added, required string",
        "~ GET /customers: response 200 field address.zip: removed, required string (breaking)",
    ]


def test_a_removed_nested_model_is_one_difference_not_one_per_field():
    old = document(get("/customers", Customer))
    new = document(get("/customers", CustomerWithoutAddress))

    assert lines(old, new) == [
        "~ GET /customers: response 200 field address: removed, required object (breaking)"
    ]


def test_fields_of_a_list_of_models_are_named_with_brackets():
    old = document(get("/orders", Order))
    new = document(get("/orders", FractionalOrder))

    assert lines(old, new) == [
        "~ GET /orders: response 200 field lines[].quantity: type integer -> number (breaking)"
    ]


def test_a_body_that_is_a_list_names_its_items_fields_from_brackets_alone():
    old = document(get("/lines", list[Line]))
    new = document(get("/lines", list[FractionalLine]))

    assert lines(old, new) == [
        "~ GET /lines: response 200 field [].quantity: type integer -> number (breaking)"
    ]


def test_fields_of_map_values_are_named_with_braces():
    old = document(get("/directory", Directory))
    new = document(get("/directory", DirectoryWithPostcodes))

    assert lines(old, new) == [
        "~ GET /directory: response 200 field offices{}.postcode: added, required string",
        "~ GET /directory: response 200 field offices{}.zip: removed, required string (breaking)",
    ]


def test_a_body_whose_whole_type_changes_is_one_difference_on_the_body():
    old = document(get("/lines", Line))
    new = document(get("/lines", list[Line]))

    assert lines(old, new) == [
        "~ GET /lines: response 200: type object -> array of object (breaking)"
    ]


def test_an_added_operation_is_not_breaking_and_a_removed_one_is():
    async def delete_user(user_id: int) -> None:
        return None

    async def upload_avatar(user_id: int) -> None:
        return None

    old = document(Route("/users/{user_id:int}", delete_user, methods=["DELETE"]))
    new = document(Route("/users/{user_id:int}/avatar", upload_avatar, methods=["POST"]))

    assert lines(old, new) == [
        "- DELETE /users/{user_id} (breaking)",
        "+ POST /users/{user_id}/avatar",
    ]


def test_a_renamed_path_variable_is_the_same_operation_and_breaks_nobody():
    async def by_user_id(user_id: int) -> UserV1:
        raise NotImplementedError

    async def by_id(id: int) -> UserV1:
        raise NotImplementedError

    old = document(Route("/users/{user_id:int}", by_user_id, methods=["GET"]))
    new = document(Route("/users/{id:int}", by_id, methods=["GET"]))

    differences = diff_documents(old, new)

    assert [str(difference) for difference in differences] == [
        "~ GET /users/{id}: parameter path id: renamed from user_id"
    ]
    assert not differences[0].breaking


def test_a_path_variable_that_changes_type_is_breaking():
    async def by_text(key: str) -> None:
        return None

    async def by_number(key: int) -> None:
        return None

    old = document(Route("/keys/{key}", by_text, methods=["GET"]))
    new = document(Route("/keys/{key:int}", by_number, methods=["GET"]))

    assert lines(old, new) == [
        "~ GET /keys/{key}: parameter path key: type string -> integer (breaking)"
    ]


async def list_users(page: Annotated[int, Query()] = 1) -> list[UserV1]:
    return []


async def list_users_matching(
    q: Annotated[str, Query()], page: Annotated[int, Query()] = 1
) -> list[UserV1]:
    return []


async def list_users_limited(
    page: Annotated[int, Query()] = 1, limit: Annotated[int, Query()] = 10
) -> list[UserV1]:
    return []


def test_a_query_parameter_added_as_required_breaks_clients_that_do_not_send_it():
    old = document(Route("/users", list_users, methods=["GET"]))
    new = document(Route("/users", list_users_matching, methods=["GET"]))

    differences = diff_documents(old, new)

    assert [str(difference) for difference in differences] == [
        "~ GET /users: parameter query q: added, required string (breaking)"
    ]
    assert differences[0].breaking


def test_a_query_parameter_added_as_optional_is_not_breaking():
    old = document(Route("/users", list_users, methods=["GET"]))
    new = document(Route("/users", list_users_limited, methods=["GET"]))

    assert lines(old, new) == ["~ GET /users: parameter query limit: added, optional integer"]


def test_a_removed_query_parameter_is_not_breaking():
    old = document(Route("/users", list_users_limited, methods=["GET"]))
    new = document(Route("/users", list_users, methods=["GET"]))

    assert lines(old, new) == ["~ GET /users: parameter query limit: removed, optional integer"]


def test_version_prefixes_are_stripped_before_paths_are_compared():
    old = document(get("/v1/users/{user_id:int}", UserV1), get("/v1", UserV1))
    new = document(get("/v2/users/{user_id:int}", UserV2), get("/v2", UserV1))

    assert lines(old, new, old_prefix="/v1", new_prefix="/v2") == [
        "~ GET /users/{user_id}: response 200 field full_name: added, required string",
        "~ GET /users/{user_id}: response 200 field name: removed, required string (breaking)",
    ]


def test_without_prefixes_every_versioned_path_is_a_different_operation():
    old = document(get("/v1/users", UserV1))
    new = document(get("/v2/users", UserV1))

    assert lines(old, new) == ["- GET /v1/users (breaking)", "+ GET /v2/users"]


def test_a_prefix_with_a_trailing_slash_is_the_same_prefix():
    old = document(get("/v1/users", UserV1))
    new = document(get("/v2/users", UserV1))

    assert diff_documents(old, new, old_prefix="/v1/", new_prefix="/v2") == []


def test_an_operation_becoming_deprecated_is_reported_and_breaks_nobody():
    async def users() -> list[UserV1]:
        return []

    old = document(Route("/users", users, methods=["GET"]))
    new = document(Route("/users", users, methods=["GET"], deprecated=True))

    differences = diff_documents(old, new)

    assert [str(difference) for difference in differences] == ["~ GET /users: deprecated"]
    assert not differences[0].breaking
    assert lines(new, old) == ["~ GET /users: no longer deprecated"]


def test_a_recursive_model_is_compared_without_looping():
    old = document(get("/categories", Category), post("/categories", Category))
    new = document(get("/categories", SluggedCategory), post("/categories", SluggedCategory))

    assert diff_documents(old, old) == []
    assert lines(old, new) == [
        "~ GET /categories: response 200 field slug: added, required string",
        "~ POST /categories: request body field slug: added, required string (breaking)",
        "~ POST /categories: response 200 field slug: added, required string",
    ]


def test_a_success_status_that_changes_breaks_clients():
    async def create(item: Note) -> Note:
        return item

    old = document(Route("/notes", create, methods=["POST"]))
    new = document(Route("/notes", create, methods=["POST"], status_code=201))

    assert lines(old, new) == [
        "~ POST /notes: response 200: removed (breaking)",
        "~ POST /notes: response 201: added",
    ]


def test_an_error_response_no_longer_documented_is_not_breaking():
    async def read(user_id: int) -> UserV1:
        raise NotImplementedError

    missing = {404: {"description": "No such user"}}
    old = document(Route("/users/{user_id:int}", read, methods=["GET"], responses=missing))
    new = document(Route("/users/{user_id:int}", read, methods=["GET"]))

    assert lines(old, new) == ["~ GET /users/{user_id}: response 404: removed"]


def test_a_request_body_added_as_required_is_breaking():
    async def touch() -> None:
        return None

    async def touch_with(note: Note) -> None:
        return None

    old = document(Route("/touch", touch, methods=["POST"]))
    new = document(Route("/touch", touch_with, methods=["POST"]))

    assert lines(old, new) == [
        "~ POST /touch: request body: added, required (breaking)",
        "~ POST /touch: response 422: added",
    ]
    assert lines(new, old) == [
        "~ POST /touch: request body: removed",
        "~ POST /touch: response 422: removed",
    ]


def test_a_request_body_that_moves_from_json_to_a_form_drops_the_json_media_type():
    async def login_json(credentials: Signup) -> None:
        return None

    async def login_form(credentials: Annotated[Signup, Form()]) -> None:
        return None

    old = document(Route("/login", login_json, methods=["POST"]))
    new = document(Route("/login", login_form, methods=["POST"]))

    assert lines(old, new) == [
        "~ POST /login: request body media type application/json: removed (breaking)",
        "~ POST /login: request body media type application/x-www-form-urlencoded: added",
    ]


def test_differences_are_sorted_by_path_then_method_in_openapi_order():
    async def handler() -> None:
        return None

    new = document(
        Route("/b", handler, methods=["POST"], name="b_post"),
        Route("/b", handler, methods=["GET"], name="b_get"),
        Route("/a", handler, methods=["DELETE"], name="a_delete"),
        Route("/a", handler, methods=["GET"], name="a_get"),
    )

    assert lines(document(), new) == ["+ GET /a", "+ DELETE /a", "+ GET /b", "+ POST /b"]


def test_render_text_summarises_operations_then_lists_every_difference():
    async def delete_user(user_id: int) -> None:
        return None

    async def ping() -> None:
        return None

    old = document(
        get("/users/{user_id:int}", UserV1),
        Route("/users/{user_id:int}", delete_user, methods=["DELETE"]),
    )
    new = document(get("/users/{user_id:int}", UserV2), Route("/ping", ping, methods=["GET"]))

    text = render_text(diff_documents(old, new), "v1", "v2")

    assert text == (
        "API v1 -> v2: 1 operation added, 1 removed, 1 changed (2 breaking)\n"
        "+ GET /ping\n"
        "~ GET /users/{user_id}: response 200 field full_name: added, required string\n"
        "~ GET /users/{user_id}: response 200 field name: removed, required string (breaking)\n"
        "- DELETE /users/{user_id} (breaking)\n"
    )


def test_render_text_counts_operations_not_lines_and_says_operations_in_the_plural():
    differences = [
        Difference("added", "GET /a", ""),
        Difference("added", "GET /b", ""),
        Difference("changed", "GET /c", "", "deprecated"),
        Difference("changed", "GET /d", "parameter query x", "now required", breaking=True),
        Difference("removed", "GET /d", "response 200 field y", "required string", True),
    ]

    header = render_text(differences, "v2", "v3").splitlines()[0]

    assert header == "API v2 -> v3: 2 operations added, 0 removed, 2 changed (2 breaking)"


def test_render_text_says_so_when_nothing_changed():
    assert render_text([], "v1", "v2") == "No differences between v1 and v2.\n"


def test_render_json_lists_every_difference_with_all_its_fields():
    differences = [
        Difference("removed", "DELETE /users/{user_id}", "", breaking=True),
        Difference("changed", "GET /users", "parameter query q", "now required", breaking=True),
    ]

    text = render_json(differences, "v1", "v2")

    assert text.startswith('{\n  "from": "v1",\n')
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "from": "v1",
        "to": "v2",
        "differences": [
            {
                "kind": "removed",
                "operation": "DELETE /users/{user_id}",
                "part": "",
                "detail": "",
                "breaking": True,
            },
            {
                "kind": "changed",
                "operation": "GET /users",
                "part": "parameter query q",
                "detail": "now required",
                "breaking": True,
            },
        ],
    }


def test_render_json_of_no_differences_is_an_empty_list():
    assert json.loads(render_json([], "v1", "v2"))["differences"] == []


def test_a_prefix_without_a_leading_slash_is_refused():
    with pytest.raises(ValueError, match=r"old_prefix 'v1' must start with '/'"):
        diff_documents(document(), document(), old_prefix="v1")


def test_a_reference_to_a_missing_schema_is_refused_naming_it():
    old = document(get("/users", UserV1))
    new = document(get("/users", UserV1))
    del new["components"]["schemas"]["UserV1"]

    with pytest.raises(ValueError, match=r"'#/components/schemas/UserV1' in the new OpenAPI"):
        diff_documents(old, new)


def test_a_document_whose_paths_are_not_an_object_is_refused():
    with pytest.raises(ValueError, match=r"old OpenAPI document's 'paths' is a list"):
        diff_documents({"paths": []}, document())
