"""Every bad list query is a 400 problem that names the parameter and says what to send.

Parsing needs no database; what depends on one (cursors, queries built in code) runs on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request

import kwik
from kwik.db import Filter, InvalidQuery, ListQuery, SortKey
from kwik.db.crud import ListSpec
from kwik.db.crud.cursor import encode_cursor
from kwik.db.crud.query import MAX_IN_VALUES
from kwik.http.problems import http_exception_handler
from kwik.testing import override_settings
from tests.db.crud_app.models import Product
from tests.db.crud_app.services import ProductService
from tests.db.crud_app.support import catalog_session, seed_catalog


class TrackedProducts(ProductService):
    ignored_parameters = ("utm_source", "utm_medium")


def problem(exc: InvalidQuery) -> dict[str, Any]:
    """The problem document kwik sends for `exc`."""
    response = http_exception_handler(None, exc)  # type: ignore[arg-type]
    assert response.media_type == "application/problem+json"
    return json.loads(response.body)


def refused(query_string: str, service: type[ProductService] = ProductService) -> dict[str, Any]:
    with pytest.raises(InvalidQuery) as caught:
        service.parse_query(query_string)
    return problem(caught.value)


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body["errors"]) == 1
    return body["errors"][0]


@pytest.fixture
async def products(database_url):
    async with catalog_session(database_url) as session:
        await seed_catalog(session)
        yield ProductService(session)


async def refused_by(call: Any) -> dict[str, Any]:
    with pytest.raises(InvalidQuery) as caught:
        await call
    return problem(caught.value)


# The problem document


def test_a_bad_query_is_a_400_invalid_query_problem():
    body = refused("prce=10")

    assert body["status"] == 400
    assert body["type"] == "urn:kwik:problem:invalid-query"
    assert body["title"] == "Invalid list query"


def test_each_error_gives_its_location_message_and_code():
    error = only_error(refused("prce=10"))

    assert error["loc"] == ["query", "prce"]
    assert error["type"] == "filter_not_allowed"
    assert "prce" in error["msg"]


def test_every_bad_parameter_is_reported_at_once():
    body = refused("prce=1&limit=0&price=cheap")

    assert [error["loc"][1] for error in body["errors"]] == ["prce", "limit", "price"]
    assert all(error["msg"] in body["detail"] for error in body["errors"])


# Filters


def test_a_filter_on_a_field_that_is_not_allowed_names_it_and_lists_the_allowed_ones():
    body = refused("secret__gte=1")

    assert body["detail"] == (
        "Filtering on 'secret' is not allowed (filter fields: active, category_id, code, "
        "created_at, name, price, released_on, sku, status, stock)"
    )


def test_a_column_left_out_of_filter_fields_is_not_filterable():
    assert only_error(refused("updated_at__gt=2024-01-01T00:00:00Z"))["type"] == (
        "filter_not_allowed"
    )


def test_an_unknown_operator_is_named_with_the_operators_there_are():
    body = refused("price__between=1,2")

    assert only_error(body)["type"] == "unknown_operator"
    assert body["detail"] == (
        "Unknown operator 'between' in 'price__between' (operators: eq, ne, lt, lte, gt, gte, "
        "in, contains, icontains, isnull)"
    )


def test_an_operator_not_allowed_on_a_field_lists_the_ones_that_are():
    body = refused("active__ne=true")

    assert only_error(body)["type"] == "operator_not_allowed"
    assert body["detail"] == "Operator 'ne' is not allowed on 'active' (allowed: eq)"


@pytest.mark.parametrize(
    ("parameter", "value", "detail"),
    [
        ("stock", "many", "stock: 'many' is not an integer"),
        ("stock", "1.5", "stock: '1.5' is not an integer"),
        (
            "stock__gt",
            "99999999999",
            "stock__gt: '99999999999' is out of range for an integer (-2147483648 to 2147483647)",
        ),
        ("price__gte", "ten", "price__gte: 'ten' is not a decimal number"),
        ("price", "NaN", "price: 'NaN' is not a decimal number"),
        ("active", "maybe", "active: 'maybe' is not a boolean (true or false)"),
        ("released_on", "2024-13-01", "released_on: '2024-13-01' is not a date, like 2024-05-01"),
        (
            "created_at__gt",
            "yesterday",
            "created_at__gt: 'yesterday' is not a date-time with a time zone, like "
            "2024-05-01T10:00:00Z",
        ),
        (
            "created_at__gt",
            "2024-05-01T10:00:00",
            "created_at__gt: '2024-05-01T10:00:00' has no time zone (add Z or an offset like "
            "+02:00)",
        ),
        (
            "created_at__gt",
            "2024",
            "created_at__gt: '2024' is not a date-time with a time zone, like 2024-05-01T10:00:00Z",
        ),
        ("released_on", "1714521600", "released_on: '1714521600' is not a date, like 2024-05-01"),
        ("code", "not-a-uuid", "code: 'not-a-uuid' is not a UUID"),
        ("status", "lost", "status: 'lost' is not one of new, paid, shipped"),
        ("name", "a%00b", "name: 'a\\x00b' contains a NUL character"),
    ],
)
def test_a_value_that_does_not_convert_names_the_field_and_the_expected_type(
    parameter, value, detail
):
    body = refused(f"{parameter}={value}")

    assert body["detail"] == detail
    assert only_error(body)["type"] == "invalid_value"


def test_in_needs_at_least_one_value():
    assert refused("sku__in=")["detail"] == (
        "sku__in: give at least one value, separated by commas"
    )


def test_in_names_the_value_that_does_not_convert():
    assert refused("price__in=1,two,3")["detail"] == "price__in: 'two' is not a decimal number"


def test_in_takes_a_bounded_number_of_values():
    values = ",".join(str(n) for n in range(MAX_IN_VALUES + 1))

    assert refused(f"stock__in={values}")["detail"] == (
        f"stock__in: give at most {MAX_IN_VALUES} values, not {MAX_IN_VALUES + 1}"
    )


def test_isnull_takes_true_or_false():
    assert refused("category_id__isnull=maybe")["detail"] == (
        "category_id__isnull: 'maybe' is not a boolean (true or false)"
    )


@pytest.mark.parametrize("text", ["yes", "on", "TRUE", "1"])
def test_isnull_and_total_read_the_words_a_boolean_filter_reads(text):
    query = ProductService.parse_query(f"category_id__isnull={text}&total={text}&active={text}")

    assert query.filters == (
        Filter("category_id", "isnull", True),
        Filter("active", "eq", True),
    )
    assert query.total is True


# Sort


def test_a_sort_on_a_field_that_is_not_allowed_names_it_and_lists_the_allowed_ones():
    body = refused("sort=-sku")

    assert only_error(body)["loc"] == ["query", "sort"]
    assert body["detail"] == (
        "Sorting by 'sku' is not allowed (sort fields: created_at, name, price, released_on, "
        "status, stock)"
    )


@pytest.mark.parametrize("sort", ["", "price,,name", "-", "price,"])
def test_a_sort_with_an_empty_field_is_refused(sort):
    assert refused(f"sort={sort}")["detail"] == (
        f"sort has an empty field in {sort!r} (write fields like sort=-price,name)"
    )


def test_a_sort_naming_a_field_twice_is_refused():
    assert refused("sort=price,-price")["detail"] == "sort names 'price' more than once"


# Pagination parameters


@pytest.mark.parametrize("limit", ["0", "-1", "51"])
def test_a_limit_below_one_or_above_the_maximum_is_refused(limit):
    body = refused(f"limit={limit}")

    assert body["detail"] == f"limit must be between 1 and 50, not {limit}"
    assert only_error(body)["type"] == "limit_out_of_range"


@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_limit_and_offset_must_be_integers(parameter):
    assert refused(f"{parameter}=ten")["detail"] == f"{parameter}: 'ten' is not an integer"


def test_a_negative_offset_is_refused():
    body = refused("offset=-1")

    assert body["detail"] == "offset must be 0 or more, not -1"
    assert only_error(body)["type"] == "offset_out_of_range"


def test_a_pagination_parameter_given_twice_is_refused():
    assert refused("limit=5&limit=6")["detail"] == "limit is given more than once"


def test_total_takes_true_or_false():
    assert refused("total=some")["detail"] == "total: 'some' is not a boolean (true or false)"


def test_an_empty_cursor_means_the_first_page():
    assert ProductService.parse_query("cursor=&limit=5").cursor is None


def test_parameters_the_endpoint_handles_itself_can_be_ignored():
    query = ProductService.parse_query("format=csv&stock=1", ignore=["format"])

    assert query.filters == (Filter("stock", "eq", 1),)


def test_a_service_skips_its_ignored_parameters():
    query = TrackedProducts.parse_query("utm_source=mail&stock=1&utm_medium=web")

    assert query.filters == (Filter("stock", "eq", 1),)


async def test_the_query_dependency_skips_the_ignored_parameters():
    request = Request({"type": "http", "query_string": b"utm_source=mail&stock=1", "headers": []})

    query = await TrackedProducts.query_from_request(request)

    assert query.filters == (Filter("stock", "eq", 1),)


def test_ignore_adds_to_the_services_ignored_parameters():
    query = TrackedProducts.parse_query("utm_source=mail&format=csv", ignore=["format"])

    assert query.filters == ()


def test_a_parameter_neither_ignored_nor_a_filter_is_still_refused():
    body = refused("utm_campaign=spring", TrackedProducts)

    assert only_error(body)["type"] == "filter_not_allowed"


# Cursors


async def next_cursor(products: ProductService, query_string: str = "limit=2") -> str:
    cursor = (await products.list_cursor(products.parse_query(query_string))).next_cursor
    assert cursor is not None
    return cursor


async def test_a_cursor_that_is_not_base64_is_refused(products):
    body = await refused_by(products.list_cursor(ListQuery(cursor="not base64!")))

    assert only_error(body)["type"] == "invalid_cursor"
    assert body["detail"].startswith("cursor is malformed (not base64): pass the next_cursor")


async def test_a_cursor_whose_content_was_changed_is_refused(products):
    cursor = await next_cursor(products)
    payload, signature = cursor.split(".")
    changed = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]

    body = await refused_by(products.list_cursor(ListQuery(cursor=f"{changed}.{signature}")))

    assert "its signature doesn't match" in body["detail"]


async def test_a_cursor_cut_short_is_refused(products):
    cursor = await next_cursor(products)

    body = await refused_by(products.list_cursor(ListQuery(cursor=cursor[:20])))

    assert only_error(body)["type"] == "invalid_cursor"


async def test_a_cursor_signed_with_another_secret_key_is_refused(products, project):
    project.settings('SECRET_KEY = "this-server-' + "x" * 50 + '"')
    kwik.setup("proj.settings")
    with override_settings(SECRET_KEY="another-server-" + "y" * 50):
        cursor = await next_cursor(products)

    body = await refused_by(products.list_cursor(ListQuery(cursor=cursor)))

    assert "its signature doesn't match" in body["detail"]


async def test_a_cursor_from_another_list_with_the_same_fields_is_refused(products):
    class ClearanceProducts(ProductService):
        pass

    cursor = await next_cursor(products)

    body = await refused_by(
        ClearanceProducts(products.session).list_cursor(ListQuery(cursor=cursor))
    )

    assert only_error(body)["type"] == "invalid_cursor"
    assert body["detail"].startswith("cursor is for a different list or out of date")


async def test_a_signed_cursor_for_fields_this_list_no_longer_has_is_refused(products):
    before = ListSpec(
        "ProductService",
        Product,
        filter_fields=(),
        sort_fields=("updated_at",),
        default_sort=(),
        default_limit=10,
        max_limit=50,
        identity=ProductService.spec.identity,
    )
    row = SimpleNamespace(updated_at=datetime(2024, 1, 1, tzinfo=UTC), id=3)
    cursor = encode_cursor(before, (SortKey("updated_at"), SortKey("id")), row)

    body = await refused_by(products.list_cursor(ListQuery(cursor=cursor)))

    assert body["detail"].startswith("cursor is for a different list or out of date")


async def test_a_cursor_with_a_different_sort_is_refused(products):
    cursor = await next_cursor(products, "sort=price&limit=2")

    body = await refused_by(
        products.list_cursor(products.parse_query(f"sort=name&cursor={cursor}"))
    )

    assert only_error(body)["type"] == "sort_mismatch"
    assert body["detail"] == (
        "sort differs from the sort the cursor was made for (price,id): repeat that sort or "
        "leave sort out"
    )


async def test_an_offset_list_refuses_a_cursor(products):
    cursor = await next_cursor(products)

    body = await refused_by(products.list(products.parse_query(f"cursor={cursor}")))

    assert body["detail"] == "cursor is not accepted here: this list pages by limit and offset"


@pytest.mark.parametrize("parameter", ["offset=2", "total=true"])
async def test_a_cursor_list_refuses_offset_and_total(products, parameter):
    body = await refused_by(products.list_cursor(products.parse_query(parameter)))

    name = parameter.partition("=")[0]
    assert only_error(body)["type"] == f"{name}_not_accepted"
    assert body["detail"].startswith(f"{name} is not accepted here: this list pages by cursor")


# Queries built in code obey the same rules


async def test_a_query_built_in_code_may_not_filter_on_a_field_that_is_not_allowed(products):
    body = await refused_by(products.list(ListQuery(filters=(Filter("updated_at", "lt", 1),))))

    assert only_error(body)["type"] == "filter_not_allowed"


async def test_a_query_built_in_code_may_not_use_an_operator_that_is_not_allowed(products):
    body = await refused_by(products.list(ListQuery(filters=(Filter("active", "gt", 1),))))

    assert only_error(body)["type"] == "operator_not_allowed"


async def test_a_query_built_in_code_needs_a_list_of_values_for_in(products):
    body = await refused_by(products.list(ListQuery(filters=(Filter("sku", "in", "L-1"),))))

    assert body["detail"] == "sku__in needs a non-empty list of values"


async def test_a_query_built_in_code_may_not_sort_on_a_field_that_is_not_allowed(products):
    body = await refused_by(products.list(ListQuery(sort=(SortKey("sku"),))))

    assert only_error(body)["type"] == "sort_not_allowed"


@pytest.mark.parametrize("limit", [0, 51])
async def test_a_query_built_in_code_keeps_to_the_limits(products, limit):
    body = await refused_by(products.list(ListQuery(limit=limit)))

    assert only_error(body)["type"] == "limit_out_of_range"


async def test_a_query_built_in_code_may_not_have_a_negative_offset(products):
    body = await refused_by(products.list(ListQuery(offset=-5)))

    assert only_error(body)["type"] == "offset_out_of_range"


async def test_a_query_built_in_code_may_not_sort_by_a_field_twice(products):
    sort = (SortKey("price"), SortKey("price", descending=True))

    body = await refused_by(products.list(ListQuery(sort=sort)))

    assert body["detail"] == "sort names 'price' more than once"


async def test_a_query_built_in_code_has_every_problem_reported_at_once(products):
    query = ListQuery(filters=(Filter("updated_at", "lt", 1),), sort=(SortKey("sku"),), limit=0)

    body = await refused_by(products.list(query))

    assert [error["type"] for error in body["errors"]] == [
        "filter_not_allowed",
        "sort_not_allowed",
        "limit_out_of_range",
    ]


async def test_a_count_of_a_query_built_in_code_obeys_the_allow_lists(products):
    body = await refused_by(products.count(ListQuery(filters=(Filter("updated_at", "lt", 1),))))

    assert only_error(body)["type"] == "filter_not_allowed"


async def test_a_parsed_query_changed_in_code_is_checked_again(products):
    parsed = products.parse_query("stock=1")
    changed = dataclasses.replace(parsed, filters=(Filter("updated_at", "lt", 1),))

    body = await refused_by(products.list(changed))

    assert only_error(body)["type"] == "filter_not_allowed"


async def test_a_query_parsed_for_one_service_is_checked_by_another(products):
    class NamesOnly(ProductService):
        filter_fields = ("name",)

    parsed = products.parse_query("stock=1")

    body = await refused_by(NamesOnly(products.session).list(parsed))

    assert only_error(body)["type"] == "filter_not_allowed"
