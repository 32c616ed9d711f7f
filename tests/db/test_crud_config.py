"""A service's class attributes are checked when the class is defined: a mistake fails at
import with a message that names it and the fix, not on the first request."""

from __future__ import annotations

import typing

import pytest

from kwik.db import CRUDService, ListQuery
from kwik.exceptions import ImproperlyConfigured
from kwik.http import Depends
from tests.db.crud_app.models import Category, Product
from tests.db.crud_app.services import ProductService

PRODUCT_COLUMNS = (
    "id, name, sku, price, active, stock, status, released_on, code, category_id, created_at, "
    "updated_at"
)


def refused(**attributes: object) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        type("Products", (CRUDService,), {"model": Product, **attributes})
    return str(caught.value)


def test_a_filter_field_that_is_not_a_column_is_refused():
    assert refused(filter_fields=["prise"]) == (
        f"Products.filter_fields: prise is not a column of Product; its columns are "
        f"{PRODUCT_COLUMNS}"
    )


def test_a_sort_field_that_is_not_a_column_is_refused():
    assert refused(sort_fields=["colour", "size"]).startswith(
        "Products.sort_fields: colour, size are not columns of Product;"
    )


def test_a_default_sort_field_that_is_not_a_column_is_refused():
    assert refused(default_sort=["-newest"]).startswith(
        "Products.default_sort: newest is not a column of Product;"
    )


def test_an_unknown_operator_in_filter_fields_is_refused():
    assert refused(filter_fields={"price": ["gte", "above"]}) == (
        "Products.filter_fields['price']: unknown operator 'above'; operators are eq, ne, lt, "
        "lte, gt, gte, in, contains, icontains, isnull"
    )


def test_an_operator_that_does_not_apply_to_the_fields_type_is_refused():
    assert refused(filter_fields={"price": ["contains"]}) == (
        "Products.filter_fields['price']: 'contains' doesn't apply to price (NUMERIC(10, 2)); "
        "it takes eq, ne, lt, lte, gt, gte, in, isnull"
    )


def test_filter_fields_given_as_one_string_is_refused():
    assert refused(filter_fields="price").startswith(
        "Products.filter_fields must be a collection of field names"
    )


def test_a_column_whose_values_cannot_come_from_text_is_refused():
    with pytest.raises(ImproperlyConfigured) as caught:
        type("Categories", (CRUDService,), {"model": Category, "filter_fields": ["picture"]})

    assert str(caught.value) == (
        "Categories.filter_fields: Category.picture can't be filtered or sorted by: its type "
        "BLOB (bytes) can't be read from text; remove it"
    )


def test_ignored_parameters_given_as_one_string_is_refused():
    assert refused(ignored_parameters="utm_source") == (
        "Products.ignored_parameters must be a collection of parameter names, not the string "
        "'utm_source': write ['utm_source']"
    )


def test_a_default_limit_above_the_maximum_is_refused():
    assert refused(default_limit=200) == (
        "Products: default_limit (200) must be between 1 and max_limit (100)"
    )


def test_a_field_name_list_allows_every_operator_that_applies():
    service = type("Products", (CRUDService,), {"model": Product, "filter_fields": ["price"]})

    assert service.spec.fields["price"].operators == {
        "eq", "ne", "lt", "lte", "gt", "gte", "in", "isnull"
    }  # fmt: skip


def test_a_service_class_without_a_model_can_be_subclassed_but_not_used():
    class Base(CRUDService[Product]):
        default_limit, max_limit = 5, 10

    class Products(Base):
        model = Product

    assert Products.spec.max_limit == 10
    with pytest.raises(TypeError, match="Base has no model: set `model = YourModel`"):
        Base(None)  # type: ignore[arg-type]


async def test_listing_without_a_schema_says_how_to_give_one():
    class Bare(CRUDService[Product]):
        model = Product

    with pytest.raises(TypeError) as caught:
        await Bare(None).list(ListQuery())  # type: ignore[arg-type]

    assert str(caught.value) == (
        "test_listing_without_a_schema_says_how_to_give_one.<locals>.Bare.list() needs a "
        "schema: pass schema=YourSchema or set `schema = YourSchema` on the service"
    )


def test_dependency_is_the_service_built_on_the_request_session():
    annotation = ProductService.dependency()

    service_type, marker = typing.get_args(annotation)
    assert service_type is ProductService
    assert isinstance(marker, Depends)
    assert marker.dependency == ProductService.from_session


def test_query_dependency_reads_the_list_query_from_the_request():
    query_type, marker = typing.get_args(ProductService.query_dependency())

    assert query_type is ListQuery
    assert marker.dependency == ProductService.query_from_request
