"""Sorting, offset pages with totals, and cursor pages walked to the end, on SQLite and
PostgreSQL: every row appears exactly once, in order, whatever the ties and NULLs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

import pytest
from sqlalchemy import event

from kwik.db import ListQuery, SortKey
from tests.db.crud_app.models import Product, Status
from tests.db.crud_app.services import ProductService
from tests.db.crud_app.support import catalog_session, product, seed_catalog

PRICES = [Decimal(p) for p in ("5", "10", "10", "10", "20", "5", "20", "10", "5", "30")]
"""Prices of the 23 products of `many`: lots of ties, so order depends on the tie-breaker."""


@pytest.fixture
async def session(database_url):
    async with catalog_session(database_url) as session:
        yield session


@pytest.fixture
async def products(session):
    await seed_catalog(session)
    return ProductService(session)


@pytest.fixture
async def many(session):
    """23 products: prices with many ties, every third one without a release date."""
    service = ProductService(session)
    await service.bulk_create(
        product(
            number,
            price=PRICES[number % len(PRICES)],
            stock=number % 4,
            released_on=None if number % 3 == 0 else date(2024, 1, 1 + number % 5),
            status=list(Status)[number % 3],
        )
        for number in range(1, 24)
    )
    await session.commit()
    return service


async def listed(service: ProductService, query_string: str, field: str = "name") -> list[object]:
    page = await service.list(service.parse_query(query_string))
    return [getattr(item, field) for item in page.items]


def expected_order(rows: list[Product], sort: str) -> list[int]:
    """The ids in `sort` order as kwik defines it: NULLs after values ascending (before them
    descending), the id last."""
    keys = [(key.lstrip("-"), key.startswith("-")) for key in sort.split(",")]

    def key(row: Product) -> tuple[object, ...]:
        parts: list[object] = []
        for name, descending in keys:
            value = getattr(row, name)
            value = value.name if isinstance(value, Enum) else value
            missing = value is None
            if descending:
                parts += [not missing, _Reversed(value)]
            else:
                parts += [missing, value]
        return (*parts, row.id)

    return [row.id for row in sorted(rows, key=key)]


class _Reversed:
    def __init__(self, value: object) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return self.value is not None and other.value is not None and other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


async def walk(service: ProductService, query_string: str) -> tuple[list[int], int]:
    """Every id of a cursor list, page after page; and how many pages it took."""
    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        params = query_string + (f"&cursor={cursor}" if cursor else "")
        page = await service.list_cursor(service.parse_query(params))
        pages += 1
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen, pages


async def all_rows(service: ProductService) -> list[Product]:
    page = await service.list(ListQuery(limit=50), schema=None)
    return [await service.get_or_404(item.id) for item in page.items]


# Sorting


async def test_without_a_sort_rows_come_in_primary_key_order(products):
    assert await listed(products, "", "id") == [1, 2, 3, 4, 5, 6]


async def test_sort_ascending_by_one_field(products):
    assert await listed(products, "sort=stock", "stock") == [0, 2, 5, 7, 12, 100]


async def test_a_minus_sorts_descending(products):
    assert await listed(products, "sort=-stock", "stock") == [100, 12, 7, 5, 2, 0]


async def test_later_fields_order_rows_that_tie_on_earlier_ones(products):
    result = await listed(products, "sort=-price,name")

    assert result == [
        "Floor LAMP",
        "Oak chair",
        "Gift card",
        "Desk lamp",
        "Stool",
        "Lampshade 100%",
    ]


async def test_rows_that_tie_on_every_sort_field_come_in_primary_key_order(products):
    assert await listed(products, "sort=price", "id") == [3, 1, 5, 6, 2, 4]
    assert await listed(products, "sort=-price", "id") == [2, 4, 6, 1, 5, 3]


async def test_nulls_sort_last_ascending_and_first_descending(products):
    ascending = await listed(products, "sort=released_on", "released_on")
    descending = await listed(products, "sort=-released_on", "released_on")

    assert ascending[-2:] == [None, None]
    assert None not in ascending[:-2]
    assert descending[:2] == [None, None]
    assert None not in descending[2:]


async def test_the_service_default_sort_applies_when_none_is_asked_for(session):
    class NewestFirst(ProductService):
        default_sort = ("-stock",)

    await seed_catalog(session)

    assert await listed(NewestFirst(session), "", "stock") == [100, 12, 7, 5, 2, 0]


async def test_a_sort_given_in_code_is_used(products):
    page = await products.list(ListQuery(sort=(SortKey("name", descending=True),), limit=2))

    assert [item.name for item in page.items] == ["Stool", "Oak chair"]


# Offset pages


async def test_an_offset_page_has_its_items_the_total_and_its_bounds(many):
    page = await many.list(many.parse_query("limit=5&offset=10"))

    assert [item.id for item in page.items] == [11, 12, 13, 14, 15]
    assert (page.total, page.limit, page.offset) == (23, 5, 10)


async def test_the_total_counts_rows_matching_the_filters_on_every_page(many):
    page = await many.list(many.parse_query("price=10&limit=2&offset=2"))

    tens = sum(1 for number in range(1, 24) if PRICES[number % len(PRICES)] == 10)
    assert (len(page.items), page.total) == (2, tens)


async def test_the_last_page_is_short(many):
    page = await many.list(many.parse_query("limit=10&offset=20"))

    assert ([item.id for item in page.items], page.total) == ([21, 22, 23], 23)


async def test_an_offset_past_the_end_is_an_empty_page_with_the_total(many):
    page = await many.list(many.parse_query("limit=10&offset=100"))

    assert (page.items, page.total) == ([], 23)


async def test_offset_pages_together_list_every_row_once(many):
    ids = []
    for offset in range(0, 23, 4):
        ids += await listed(many, f"sort=price,-stock&limit=4&offset={offset}", "id")

    assert ids == expected_order(await all_rows(many), "price,-stock")


async def test_the_limit_defaults_to_the_services_default_limit(many):
    page = await many.list(many.parse_query(""))

    assert (len(page.items), page.limit) == (10, 10)


async def test_the_limit_may_be_the_maximum(many):
    page = await many.list(many.parse_query("limit=50"))

    assert (len(page.items), page.limit) == (23, 50)


async def test_total_false_skips_the_count(many):
    page = await many.list(many.parse_query("limit=5&total=false"))

    assert (len(page.items), page.total) == (5, None)


async def test_a_service_may_never_count(session):
    class Uncounted(ProductService):
        count_totals = False

    await seed_catalog(session)
    page = await Uncounted(session).list(ListQuery(limit=2))

    assert (len(page.items), page.total) == (2, None)


async def test_a_first_page_shorter_than_the_limit_is_counted_without_a_count_query(many, session):
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        short = await many.list(many.parse_query("price=30&limit=10"))
        full = await many.list(many.parse_query("limit=5"))
    finally:
        event.remove(engine, "before_cursor_execute", listener)

    assert (short.total, full.total) == (2, 23)
    assert sum("count(" in statement.lower() for statement in statements) == 1


# Cursor pages


async def test_a_cursor_page_has_items_a_next_cursor_and_its_limit(many):
    page = await many.list_cursor(many.parse_query("limit=5"))

    assert [item.id for item in page.items] == [1, 2, 3, 4, 5]
    assert page.limit == 5
    assert isinstance(page.next_cursor, str)


async def test_the_last_cursor_page_has_no_next_cursor(many):
    page = await many.list_cursor(many.parse_query("limit=50"))

    assert (len(page.items), page.next_cursor) == (23, None)


async def test_a_page_ending_exactly_at_the_last_row_has_no_next_cursor(many):
    ids, pages = await walk(many, "limit=23")

    assert (len(ids), pages) == (23, 1)


@pytest.mark.parametrize(
    "sort",
    [
        "",
        "price",
        "-price",
        "price,-stock",
        "-price,stock",
        "released_on",
        "-released_on,price",
        "-created_at",
        "status,-price",
        "-status",
    ],
)
async def test_walking_cursor_pages_lists_every_row_once_in_order(many, sort):
    ids, pages = await walk(many, f"sort={sort}&limit=4" if sort else "limit=4")

    assert ids == expected_order(await all_rows(many), sort or "id")
    assert pages == 6


async def test_cursor_pages_walk_a_filtered_list(many):
    ids, _ = await walk(many, "price__gte=10&sort=-price&limit=3")

    rows = [row for row in await all_rows(many) if row.price >= 10]
    assert ids == expected_order(rows, "-price")


async def test_a_cursor_remembers_its_sort_when_sort_is_left_out(many):
    first = await many.list_cursor(many.parse_query("sort=-price&limit=4"))
    with_sort = await many.list_cursor(
        many.parse_query(f"sort=-price&limit=4&cursor={first.next_cursor}")
    )
    without_sort = await many.list_cursor(many.parse_query(f"limit=4&cursor={first.next_cursor}"))

    assert [item.id for item in with_sort.items] == [item.id for item in without_sort.items]


async def test_rows_added_before_the_cursor_do_not_shift_the_next_page(many, session):
    first = await many.list_cursor(many.parse_query("sort=price&limit=5"))
    second_before = await many.list_cursor(many.parse_query(f"limit=5&cursor={first.next_cursor}"))
    await many.create(product(99, price=Decimal("1")))
    second_after = await many.list_cursor(many.parse_query(f"limit=5&cursor={first.next_cursor}"))

    assert [i.id for i in second_after.items] == [i.id for i in second_before.items]


async def test_the_limit_of_a_cursor_page_may_change_between_pages(many):
    first = await many.list_cursor(many.parse_query("limit=3"))
    second = await many.list_cursor(many.parse_query(f"limit=7&cursor={first.next_cursor}"))

    assert [item.id for item in second.items] == [4, 5, 6, 7, 8, 9, 10]
