"""List filters: every operator, and values converted with the column's type, on SQLite and
PostgreSQL. The catalog (tests/db/crud_app/support.py) has six products with ties and NULLs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kwik.db import Filter, ListQuery
from tests.db.crud_app.models import Status
from tests.db.crud_app.services import ProductService
from tests.db.crud_app.support import catalog_session, seed_catalog


@pytest.fixture
async def products(database_url):
    async with catalog_session(database_url) as session:
        await seed_catalog(session)
        yield ProductService(session)


async def names(service: ProductService, query_string: str) -> list[str]:
    """The names of the products the query string selects, in name order."""
    query = service.parse_query(f"{query_string}&sort=name&limit=50")
    return [item.name for item in (await service.list(query)).items]


async def test_a_bare_field_filters_on_equality(products):
    assert await names(products, "sku=L-2") == ["Floor LAMP"]


async def test_eq_filters_on_equality(products):
    assert await names(products, "price__eq=19.99") == ["Desk lamp", "Stool"]


async def test_ne_keeps_rows_whose_value_differs(products):
    assert await names(products, "status__ne=new") == ["Floor LAMP", "Lampshade 100%", "Oak chair"]


async def test_ne_keeps_rows_whose_value_is_null(products):
    result = await names(products, "released_on__ne=2024-01-10")

    assert result == ["Floor LAMP", "Lampshade 100%", "Oak chair", "Stool"]


async def test_lt_is_strictly_less(products):
    assert await names(products, "price__lt=19.99") == ["Lampshade 100%"]


async def test_lte_includes_the_value(products):
    assert await names(products, "price__lte=19.99") == ["Desk lamp", "Lampshade 100%", "Stool"]


async def test_gt_is_strictly_greater(products):
    assert await names(products, "price__gt=25") == ["Floor LAMP", "Oak chair"]


async def test_gte_includes_the_value(products):
    assert await names(products, "price__gte=25") == ["Floor LAMP", "Gift card", "Oak chair"]


async def test_in_takes_comma_separated_values(products):
    assert await names(products, "sku__in=L-1,C-2,nope") == ["Desk lamp", "Stool"]


async def test_in_converts_each_value(products):
    assert await names(products, "status__in=paid,shipped") == [
        "Floor LAMP",
        "Lampshade 100%",
        "Oak chair",
    ]


async def test_contains_is_case_sensitive(products):
    assert await names(products, "name__contains=amp") == ["Desk lamp", "Lampshade 100%"]


async def test_icontains_ignores_case(products):
    assert await names(products, "name__icontains=LAMP") == [
        "Desk lamp",
        "Floor LAMP",
        "Lampshade 100%",
    ]


async def test_contains_matches_each_value_when_one_statement_is_reused(products):
    assert await names(products, "name__contains=Stool") == ["Stool"]
    assert await names(products, "name__contains=chair") == ["Oak chair"]
    assert await names(products, "name__contains=LAMP") == ["Floor LAMP"]


async def test_contains_takes_percent_and_underscore_literally(products):
    assert await names(products, "name__contains=100%25") == ["Lampshade 100%"]
    assert await names(products, "sku__contains=_") == ["Lampshade 100%"]


async def test_isnull_true_keeps_null_rows(products):
    assert await names(products, "category_id__isnull=true") == ["Gift card"]


async def test_isnull_false_keeps_rows_with_a_value(products):
    assert await names(products, "released_on__isnull=false") == [
        "Desk lamp",
        "Gift card",
        "Lampshade 100%",
        "Oak chair",
    ]


async def test_filters_on_different_fields_all_apply(products):
    result = await names(products, "price__gte=19.99&name__icontains=lamp&active=true")

    assert result == ["Desk lamp"]


async def test_two_filters_on_one_field_make_a_range(products):
    assert await names(products, "price__gt=10&price__lt=49.50") == [
        "Desk lamp",
        "Gift card",
        "Stool",
    ]


async def test_integers_are_compared_as_numbers(products):
    assert await names(products, "stock__gte=12") == ["Gift card", "Lampshade 100%"]


async def test_decimals_are_compared_exactly(products):
    assert await names(products, "price=49.5") == ["Floor LAMP", "Oak chair"]


@pytest.mark.parametrize("text", ["false", "0", "FALSE"])
async def test_booleans_read_true_and_false(products, text):
    assert await names(products, f"active={text}") == ["Floor LAMP"]


async def test_dates_are_iso_dates(products):
    assert await names(products, "released_on__lt=2024-01-01") == ["Oak chair"]


async def test_enums_match_by_value_or_by_name(products):
    assert await names(products, "status=shipped") == ["Lampshade 100%"]
    assert await names(products, "status=SHIPPED") == ["Lampshade 100%"]


async def test_uuids_match(products):
    code = (await products.get_or_404(3)).code

    assert await names(products, f"code={code}") == ["Lampshade 100%"]
    assert await names(products, f"code__in={code},{code.hex}") == ["Lampshade 100%"]


async def make_the_first_product_old(products: ProductService) -> None:
    first = await products.get_or_404(1)
    first.created_at = first.created_at.replace(year=2020)  # not writable through the service
    await products.session.flush()


async def test_datetimes_with_any_offset_compare_as_instants(products):
    await make_the_first_product_old(products)

    in_utc = await names(products, "created_at__lt=2021-01-01T00:00:00Z")
    with_offset = await names(products, "created_at__lt=2021-01-01T02:00:00%2B02:00")

    assert in_utc == with_offset == ["Desk lamp"]


async def test_a_datetime_offset_whose_plus_became_a_space_is_read(products):
    await make_the_first_product_old(products)

    assert await names(products, "created_at__lt=2021-01-01T02:00:00+02:00") == ["Desk lamp"]


async def test_a_query_built_in_code_filters_like_a_query_string(products):
    query = ListQuery(
        filters=(Filter("price", "gte", Decimal("25")), Filter("status", "in", (Status.PAID,))),
    )

    page = await products.list(query)

    assert sorted(item.name for item in page.items) == ["Floor LAMP", "Oak chair"]


async def test_no_filter_lists_every_row(products):
    assert len(await names(products, "")) == 6


async def test_a_filter_matching_nothing_is_an_empty_page_with_total_zero(products):
    page = await products.list(products.parse_query("name=nothing"))

    assert (page.items, page.total) == ([], 0)
