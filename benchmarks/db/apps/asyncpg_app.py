"""Hand-written Starlette + raw asyncpg: the floor kwik is measured against.

What a careful user writes with no ORM and no framework on top: a pool opened in the lifespan,
prepared statements with `$1` parameters (asyncpg caches them per connection), rows turned into
dicts by hand, the price as the string Pydantic makes of a Decimal. The list runs its two
queries on one connection, outside any transaction (each statement commits by itself).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.db.apps.config import DSN, POOL_SIZE

__all__ = ["app"]

COUNT = "SELECT count(*) FROM products"
PAGE = "SELECT id, name, price, in_stock FROM products ORDER BY id LIMIT $1 OFFSET $2"
ONE = "SELECT id, name, price, in_stock FROM products WHERE id = $1"

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _product(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "price": str(row["price"]),
        "in_stock": row["in_stock"],
    }


def _integer(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    value = int(text)  # ValueError: not an integer
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} out of range")
    return value


async def list_products(request: Request) -> JSONResponse:
    try:
        limit = _integer(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _integer(request, "offset", 0, 0, None)
    except ValueError as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    async with request.app.state.pool.acquire() as connection:
        total = await connection.fetchval(COUNT)
        rows = await connection.fetch(PAGE, limit, offset)
    items = [_product(row) for row in rows]
    return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


async def read_product(request: Request) -> JSONResponse:
    row = await request.app.state.pool.fetchrow(ONE, request.path_params["product_id"])
    if row is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    return JSONResponse(_product(row))


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_SIZE)
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/products", list_products, methods=["GET"]),
        Route("/products/{product_id:int}", read_product, methods=["GET"]),
    ],
    lifespan=lifespan,
)
