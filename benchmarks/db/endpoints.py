"""The two loaded requests, and the checks every stack passes before and after the load.

The expected bodies come from `database.product()`, the function that seeded the table: a stack
that answers another page, another order, or a price written differently fails its checks.
"""

from __future__ import annotations

from benchmarks.db.database import ROWS, page, product
from benchmarks.harness.endpoints import INVALID, Check, Endpoint

__all__ = ["CHECKS", "DETAIL_IDS", "ENDPOINTS", "LIST_LIMIT", "LIST_OFFSET"]

LIST_LIMIT, LIST_OFFSET = 20, 40

DETAIL_IDS: tuple[int, ...] = tuple(range(7, ROWS + 1, 61))
"""The ids the detail endpoint is read at, in turn (17 rows spread over the table)."""

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("list", "GET /products", "GET", f"/products?limit={LIST_LIMIT}&offset={LIST_OFFSET}"),
    Endpoint(
        "detail",
        "GET /products/{id}",
        "GET",
        f"/products/{DETAIL_IDS[0]}",
        more_paths=tuple(f"/products/{id}" for id in DETAIL_IDS[1:]),
    ),
)

_OK = frozenset({200})
_MISSING = frozenset({404})

CHECKS: tuple[Check, ...] = (
    Check(
        "list, the loaded page",
        "GET",
        ENDPOINTS[0].path,
        _OK,
        page(LIST_LIMIT, LIST_OFFSET),
    ),
    Check("list with no parameters", "GET", "/products", _OK, page(20, 0)),
    Check(
        "list, the last page, part full", "GET", "/products?limit=7&offset=995", _OK, page(7, 995)
    ),
    Check("list past the end", "GET", f"/products?offset={ROWS}", _OK, page(20, ROWS)),
    Check("list with limit 0", "GET", "/products?limit=0", INVALID),
    Check("list with limit 101", "GET", "/products?limit=101", INVALID),
    Check("list with a negative offset", "GET", "/products?offset=-1", INVALID),
    Check("list with a non-integer limit", "GET", "/products?limit=ten", INVALID),
    *(
        Check(f"detail {id}", "GET", f"/products/{id}", _OK, product(id).as_json())
        for id in (DETAIL_IDS[0], DETAIL_IDS[-1], 1, ROWS)
    ),
    Check("detail of a missing id", "GET", f"/products/{ROWS + 1}", _MISSING),
    # FastAPI's idiomatic `product_id: int` answers 422, kwik's and Starlette's `{id:int}` 404
    Check("detail with a non-integer id", "GET", "/products/abc", _MISSING | INVALID),
)
