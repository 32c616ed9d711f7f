"""A handler or dependency that reads the request itself declares the parameters it reads
(`param_specs`), and the document lists them like the parameters kwik validates."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Body, Depends, Header, Kwik, Path, Query, Request, Route, Router
from kwik.http.openapi import openapi_document
from kwik.http.params import param_spec


async def search_words(request: Request) -> list[str]:
    return request.query_params.get("q", "").split()


search_words.param_specs = [  # type: ignore[attr-defined]
    param_spec("q", str, Query(None, max_length=50, description="Words to look for")),
    param_spec("page", int, Query(1, ge=1)),
]


async def traced(request: Request) -> str | None:
    return request.headers.get("x-request-id")


traced.param_specs = [param_spec("x_request_id", str, Header(None))]  # type: ignore[attr-defined]


async def listing(words: Annotated[list[str], Depends(search_words)]) -> int:
    return len(words)


def paging(page: Annotated[int, Query(ge=1, description="Validated")] = 1) -> int:
    return page


async def strict(request: Request) -> str:
    return request.query_params.get("code", "none")


strict.param_specs = [param_spec("code", int, Query(ge=1))]  # type: ignore[attr-defined]


def document_of(router: Router) -> dict[str, Any]:
    built = openapi_document(router.routes, title="T", version="1")
    validate(built)
    return built


def parameters(built: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    found = built["paths"][path][method].get("parameters", [])
    names = [(p["in"], p["name"]) for p in found]
    assert len(names) == len(set(names)), f"listed twice: {names}"
    return {p["name"]: p for p in found}


def only_route(router: Router) -> Route:
    (found,) = router.routes
    assert isinstance(found, Route)
    return found


def test_the_parameters_a_dependency_declares_are_documented_with_their_markers():
    router = Router()

    @router.get("/search")
    async def search(words: Annotated[list[str], Depends(search_words)]) -> list[str]:
        return words

    params = parameters(document_of(router), "/search")

    assert params["q"] == {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "Words to look for",
        "schema": {"type": "string", "maxLength": 50},
    }
    assert params["page"] == {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    }


def test_a_header_is_declared_under_its_header_name():
    router = Router()

    @router.get("/ping", dependencies=[Depends(traced)])
    async def ping() -> str:
        return "pong"

    params = parameters(document_of(router), "/ping")

    assert params["x-request-id"]["in"] == "header"


def test_declarations_of_sub_dependencies_and_router_dependencies_are_collected():
    router = Router(dependencies=[Depends(traced)])

    @router.get("/count")
    async def count(found: Annotated[int, Depends(listing)]) -> int:
        return found

    params = parameters(document_of(router), "/count")

    assert set(params) == {"q", "page", "x-request-id"}


def test_a_parameter_the_handler_declares_itself_is_listed_once_as_the_handler_says():
    router = Router()

    @router.get("/search")
    async def search(
        words: Annotated[list[str], Depends(search_words)],
        page: Annotated[int, Query(ge=1, le=10, description="Handler's page")] = 1,
    ) -> list[str]:
        return words

    params = parameters(document_of(router), "/search")

    assert params["page"]["description"] == "Handler's page"
    assert params["page"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
        "default": 1,
    }
    assert [spec.alias for spec in only_route(router).spec.params] == ["page", "q"]


def test_a_parameter_a_dependency_validates_wins_over_one_another_declares():
    router = Router()

    @router.get("/search")
    async def search(
        words: Annotated[list[str], Depends(search_words)],
        page: Annotated[int, Depends(paging)],
    ) -> list[str]:
        return words

    params = parameters(document_of(router), "/search")

    assert params["page"]["description"] == "Validated"


def test_a_header_declared_in_another_case_than_the_handlers_is_listed_once():
    async def loud(request: Request) -> None:
        return None

    loud.param_specs = [param_spec("X-Request-ID", str, Header(None, alias="X-Request-ID"))]  # type: ignore[attr-defined]
    router = Router(dependencies=[Depends(loud)])

    @router.get("/ping")
    async def ping(x_request_id: Annotated[str | None, Header()] = None) -> str:
        return "pong"

    params = parameters(document_of(router), "/ping")

    assert [name for name in params] == ["x-request-id"]


def test_two_dependencies_declaring_one_parameter_list_it_once_as_the_first_says():
    async def other_search(request: Request) -> None:
        return None

    other_search.param_specs = [param_spec("q", str, Query(None, description="Other"))]  # type: ignore[attr-defined]
    router = Router(dependencies=[Depends(search_words), Depends(other_search)])

    @router.get("/search")
    async def search() -> None:
        return None

    params = parameters(document_of(router), "/search")

    assert params["q"]["description"] == "Words to look for"


def test_a_handler_that_reads_the_request_itself_declares_its_parameters_too():
    async def export(request: Request) -> dict[str, str]:
        return {"format": request.query_params.get("format", "json")}

    export.param_specs = [param_spec("format", str, Query("json", pattern="^(json|csv)$"))]  # type: ignore[attr-defined]
    router = Router()
    router.add_route("/export", export, methods=["GET"])

    params = parameters(document_of(router), "/export")

    assert params["format"]["schema"] == {
        "type": "string",
        "pattern": "^(json|csv)$",
        "default": "json",
    }


def test_a_declared_path_parameter_describes_the_path_variable():
    async def tenant(request: Request) -> str:
        return str(request.path_params["tenant"])

    tenant.param_specs = [param_spec("tenant", str, Path(description="The tenant's slug"))]  # type: ignore[attr-defined]
    router = Router(dependencies=[Depends(tenant)])

    @router.get("/{tenant}/items")
    async def items() -> list[str]:
        return []

    params = parameters(document_of(router), "/{tenant}/items")

    assert params["tenant"] == {
        "name": "tenant",
        "in": "path",
        "required": True,
        "description": "The tenant's slug",
        "schema": {"type": "string"},
    }


def test_declared_parameters_are_documentation_only_and_not_validated():
    router = Router()

    @router.get("/code")
    async def code(value: Annotated[str, Depends(strict)]) -> str:
        return value

    client = TestClient(Kwik(routes=router.routes))

    assert client.get("/code").json() == "none"
    assert client.get("/code?code=abc").json() == "abc"
    assert parameters(document_of(router), "/code")["code"]["required"] is True


def declaring(value: object) -> ImproperlyConfigured:
    async def reader(request: Request) -> None:
        return None

    reader.param_specs = value  # type: ignore[attr-defined]
    router = Router()
    with pytest.raises(ImproperlyConfigured) as caught:

        @router.get("/items/{item_id}", dependencies=[Depends(reader)])
        async def items(item_id: str) -> None:
            return None

    return caught.value


def test_param_specs_that_are_not_a_list_are_refused_when_the_route_is_declared():
    message = str(declaring("q"))

    assert "declaring.<locals>.reader.param_specs must be a list of ParamSpec, not str" in message
    assert "param_spec(name, type, Query(...))" in message


def test_param_specs_holding_something_else_are_refused_when_the_route_is_declared():
    message = str(declaring([Query()]))

    assert "reader.param_specs holds" in message
    assert "which is not a ParamSpec" in message


def test_a_declared_path_parameter_the_path_does_not_have_is_refused():
    message = str(declaring([param_spec("slug", str, Path())]))

    assert message.endswith(
        "reader.param_specs declares the path parameter 'slug', which the route's path "
        "'/items/{item_id}' doesn't have"
    )


def test_a_body_or_form_marker_cannot_be_declared():
    with pytest.raises(ImproperlyConfigured, match="a Body\\(\\) is part of the body"):
        param_spec("note", str, Body())


def test_a_declaration_defaults_to_a_required_query_parameter():
    spec = param_spec("q", str)

    assert (spec.name, spec.source, spec.alias, spec.annotation, spec.required) == (
        "q",
        "query",
        "q",
        str,
        True,
    )
