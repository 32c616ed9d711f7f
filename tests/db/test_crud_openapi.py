"""A list endpoint's document names every parameter its list query accepts (each allowed
filter, the sort, the paging), typed as the service converts it, and no other."""

from __future__ import annotations

import typing
import uuid
from datetime import time
from typing import Any

import pytest
from openapi_spec_validator import validate
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from starlette.testclient import TestClient

from kwik.db import CRUDService, IDMixin, InvalidQuery, ListQuery, Model
from kwik.db.crud.query import MAX_IN_VALUES
from kwik.http import Depends, Kwik, Query, Router
from kwik.http.openapi import openapi_document
from tests.db.crud_app.models import Product
from tests.db.crud_app.services import ProductQuery, ProductService
from tests.db.crud_app.urls import router as crud_router


class Tally(IDMixin, Model):
    """Columns named like reserved parameters, and the types crud_app's models lack."""

    __app_label__ = "crud_openapi"

    total: Mapped[int]
    sort: Mapped[str] = mapped_column(String(20))
    ratio: Mapped[float]
    opens_at: Mapped[time]


class TallyService(CRUDService[Tally]):
    model = Tally
    filter_fields = {"total": ["eq", "gt"], "sort": ["eq"], "ratio": ["lt"], "opens_at": ["gte"]}
    ignored_parameters = ["offset", "utm_source"]


def validated(routes: list[Any]) -> dict[str, Any]:
    built = openapi_document(routes, title="T", version="1")
    validate(built)
    return built


def parameters_of(built: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    found = built["paths"][path]["get"]["parameters"]
    names = [p["name"] for p in found]
    assert len(names) == len(set(names)), f"listed twice: {names}"
    return {p["name"]: p for p in found}


def list_parameters(service: type[CRUDService[Any]]) -> dict[str, dict[str, Any]]:
    """The parameters of a list route using `service`'s query dependency."""
    router = Router()

    @router.get("/rows", dependencies=[Depends(service.query_from_request)])
    async def rows() -> list[int]:
        return []

    return parameters_of(validated(router.routes), "/rows")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return validated(crud_router.routes)


@pytest.fixture(scope="module")
def params(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return parameters_of(document, "/products")


def test_a_list_route_lists_each_allowed_filter_then_sort_and_paging(params):
    assert list(params) == [
        *("name", "name__ne", "name__in", "name__contains", "name__icontains"),
        *("sku", "sku__ne", "sku__lt", "sku__lte", "sku__gt", "sku__gte", "sku__in"),
        *("sku__contains", "sku__icontains", "sku__isnull"),
        *("price", "price__ne", "price__lt", "price__lte", "price__gt", "price__gte", "price__in"),
        "active",
        *("stock", "stock__ne", "stock__lt", "stock__lte", "stock__gt", "stock__gte"),
        *("stock__in", "stock__isnull"),
        *("status", "status__ne", "status__in"),
        *("released_on", "released_on__ne", "released_on__lt", "released_on__lte"),
        *("released_on__gt", "released_on__gte", "released_on__in", "released_on__isnull"),
        *("code", "code__in"),
        *("category_id", "category_id__in", "category_id__isnull"),
        *("created_at__lt", "created_at__lte", "created_at__gt", "created_at__gte"),
        *("sort", "limit", "offset", "cursor", "total"),
    ]
    assert {p["in"] for p in params.values()} == {"query"}
    assert not any(p["required"] for p in params.values())


def test_the_cursor_list_route_lists_the_same_parameters(document, params):
    assert parameters_of(document, "/products/feed") == params


def test_filter_values_are_typed_as_the_service_converts_them(params):
    schemas = {name: params[name]["schema"] for name in params}

    assert schemas["stock__gte"] == {
        "type": "integer",
        "minimum": -(2**31),
        "maximum": 2**31 - 1,
    }
    assert schemas["category_id"] == {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
    assert schemas["price__lt"] == {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$",
    }
    assert schemas["active"] == {"type": "boolean"}
    assert schemas["released_on__gt"] == {"type": "string", "format": "date"}
    assert schemas["created_at__gte"] == {"type": "string", "format": "date-time"}
    assert schemas["code"] == {"type": "string", "format": "uuid"}
    assert schemas["name__icontains"] == {"type": "string", "pattern": "^[^\\x00]*$"}


def test_an_enum_filter_is_the_enum_with_its_values(document, params):
    assert params["status"]["schema"] == {"$ref": "#/components/schemas/Status"}
    assert document["components"]["schemas"]["Status"]["enum"] == ["new", "paid", "shipped"]


def test_filters_given_as_a_set_are_listed_in_name_order_for_a_stable_document():
    class Unordered(CRUDService[Product]):
        model = Product
        filter_fields = {"stock", "active", "sku", "price"}

    names = [name for name in list_parameters(Unordered) if "__" not in name]

    assert names[:4] == ["active", "price", "sku", "stock"]


def test_float_and_time_filters_are_typed_too():
    params = list_parameters(TallyService)

    assert params["ratio__lt"]["schema"] == {"type": "number"}
    assert params["opens_at__gte"]["schema"] == {"type": "string", "format": "time"}


def test_an_in_filter_is_comma_separated_text_saying_what_each_value_is(params):
    assert params["stock__in"]["schema"] == {"type": "string", "minLength": 1}
    assert params["stock__in"]["description"] == (
        f"Rows whose stock is one of these values, separated by commas (at most "
        f"{MAX_IN_VALUES}), each an integer"
    )
    assert params["status__in"]["description"].endswith("each one of new, paid, shipped")
    assert params["name__in"]["description"].endswith("each text without a comma")


def test_isnull_is_a_boolean_and_each_filter_says_what_it_keeps(params):
    assert params["category_id__isnull"]["schema"] == {"type": "boolean"}
    assert params["category_id__isnull"]["description"] == (
        "true: rows whose category_id is null; false: rows where it has a value"
    )
    assert params["price__gte"]["description"] == "Rows whose price is at least this value"
    assert params["released_on__ne"]["description"] == (
        "Rows whose released_on differs from this value, or is null"
    )
    assert params["name__contains"]["description"] == (
        "Rows whose name contains this text (case-sensitive)"
    )


def test_sort_names_the_sort_fields_and_the_descending_prefix(params):
    sort = params["sort"]

    fields = "created_at|name|price|released_on|status|stock"
    assert sort["schema"] == {"type": "string", "pattern": f"^-?({fields})(,-?({fields}))*$"}
    assert (
        "Sort fields: created_at, name, price, released_on, status, stock." in (sort["description"])
    )
    assert "a - before a field sorts it descending" in sort["description"]


def test_the_default_sort_is_the_sort_parameters_default():
    class Sorted(CRUDService[Product]):
        model = Product
        sort_fields = ["price", "name"]
        default_sort = ["-price", "name"]

    assert list_parameters(Sorted)["sort"]["schema"]["default"] == "-price,name"


def test_a_service_without_sort_fields_has_no_sort_parameter():
    assert "sort" not in list_parameters(TallyService)


def test_paging_parameters_carry_the_services_limits(params):
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 50,
        "default": 10,
    }
    assert params["offset"]["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 2**63 - 1,
        "default": 0,
    }
    assert params["cursor"]["schema"] == {"type": "string"}
    assert params["total"]["schema"] == {"type": "boolean"}
    assert "Lists paged by limit and offset refuse it" in params["cursor"]["description"]
    assert "Lists paged by cursor refuse it" in params["offset"]["description"]


def test_a_field_with_a_reserved_name_is_filtered_with_an_explicit_operator():
    params = list_parameters(TallyService)

    assert {"total__eq", "total__gt", "sort__eq"} <= set(params)
    assert params["total"]["schema"] == {"type": "boolean"}  # the reserved one
    assert params["total__eq"]["schema"]["type"] == "integer"


def test_ignored_parameters_are_left_to_the_endpoint():
    params = list_parameters(TallyService)

    assert "offset" not in params
    assert "utm_source" not in params


def sample(schema: dict[str, Any], document: dict[str, Any]) -> str:
    """A value of `schema`, written as a client writes it in a query string."""
    if "$ref" in schema:
        return str(document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]["enum"][0])
    by_format = {
        "decimal": "19.99",
        "date": "2024-05-01",
        "date-time": "2024-05-01T10:00:00Z",
        "uuid": str(uuid.uuid4()),
    }
    if "format" in schema:
        return by_format[schema["format"]]
    return {"integer": "7", "number": "0.5", "boolean": "false", "string": "lamp"}[schema["type"]]


def test_every_documented_filter_is_accepted_with_a_value_of_its_documented_type(document, params):
    for name in params:
        if name in ("sort", "limit", "offset", "cursor", "total"):
            continue
        base = name.removesuffix("__in")
        value = sample(params[base]["schema"], document)
        if name.endswith("__in"):
            value = f"{value},{value}"

        query = ProductService.parse_query({name: value})

        assert len(query.filters) == 1, name


def test_no_filter_the_document_leaves_out_is_accepted(params):
    fields = ProductService.spec.fields
    operators = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "icontains", "isnull")
    for field in fields:
        for operator in operators:
            name = field if operator == "eq" else f"{field}__{operator}"
            if name in params or (operator == "eq" and f"{field}__eq" in params):
                continue
            with pytest.raises(InvalidQuery):
                ProductService.parse_query({name: "1"})


def test_a_parameter_the_handler_reads_itself_is_listed_once_as_the_handler_says():
    router = Router()

    @router.get("/products", dependencies=[Depends(ProductService.query_from_request)])
    async def products(limit: typing.Annotated[int, Query(ge=1, le=5)] = 5) -> list[int]:
        return []

    params = parameters_of(validated(router.routes), "/products")

    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "default": 5,
    }


def test_one_query_dependency_per_service_class():
    first, second = ProductService.query_dependency(), ProductService.query_dependency()

    assert typing.get_args(first)[1].dependency is typing.get_args(second)[1].dependency
    assert ProductService.query_from_request is ProductService.query_from_request

    class Narrower(ProductService):
        filter_fields = ["name"]

    assert Narrower.query_from_request is not ProductService.query_from_request
    assert [spec.alias for spec in Narrower.query_from_request.param_specs][:2] == [
        "name",
        "name__ne",
    ]
    assert "price" not in {spec.alias for spec in Narrower.query_from_request.param_specs}


def test_a_service_without_a_model_has_no_query_dependency():
    with pytest.raises(TypeError, match="CRUDService has no model"):
        CRUDService.query_dependency()


def test_a_query_from_request_the_service_defines_itself_is_kept():
    class Custom(ProductService):
        @classmethod
        async def query_from_request(cls, request: Any) -> ListQuery:
            return cls.parse_query(request.query_params, ignore=["format"])

    class Child(Custom):
        pass

    marker = typing.get_args(Child.query_dependency())[1]
    assert marker.dependency.__func__ is Custom.__dict__["query_from_request"].__func__


async def query_echo(query: ProductQuery) -> dict[str, Any]:
    return {"limit": query.limit, "filters": [f.parameter for f in query.filters]}


def test_the_dependency_still_parses_the_query_string_and_can_be_overridden():
    app = Kwik(routes=[*_echo_routes()])
    client = TestClient(app)

    assert client.get("/echo?limit=5&price__gte=10").json() == {
        "limit": 5,
        "filters": ["price__gte"],
    }
    assert client.get("/echo?colour=red").status_code == 400

    app.dependency_overrides[ProductService.query_from_request] = lambda: ListQuery(limit=3)
    assert client.get("/echo?colour=red").json() == {"limit": 3, "filters": []}


def _echo_routes() -> list[Any]:
    router = Router()
    router.add_route("/echo", query_echo, methods=["GET"])
    return router.routes
