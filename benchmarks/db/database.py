"""The benchmark's table: 1,000 deterministic products, made with plain SQL before the servers
start, so the three stacks read the identical table (kwik's model maps onto it; nothing here
runs kwik's migrations).

The rows come from `product(id)`, and the checks' expected answers from the same function, never
from any app's code: an app that reads or formats a row wrongly fails its checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from benchmarks.harness.postgres import Connection, plain_dsn, with_database

__all__ = [
    "DEFAULT_URL",
    "PRODUCTS",
    "ROWS",
    "Product",
    "describe_server",
    "page",
    "prepare",
    "product",
]

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kwik_bench_db"
ROWS = 1_000
SETTINGS = ("shared_buffers", "max_connections", "jit")
"""The server's settings the report names: what a read-only workload of small queries meets."""

TABLE = """
CREATE TABLE products (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL,
    price numeric(10, 2) NOT NULL,
    in_stock boolean NOT NULL
)
"""


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price: Decimal
    in_stock: bool

    def as_json(self) -> dict[str, Any]:
        """The product as every stack answers it: the price as Pydantic writes a Decimal."""
        return {
            "id": self.id,
            "name": self.name,
            "price": str(self.price),
            "in_stock": self.in_stock,
        }

    def as_sql(self) -> str:
        return f"({self.id}, '{self.name}', {self.price}, {str(self.in_stock).lower()})"


def product(id: int) -> Product:
    """Row `id`: prices spread over 0.01 to 1,000.00 (some ending in 0, none in exponent form),
    every third product out of stock."""
    cents = id * 7_919 % 100_000 + 1
    return Product(id, f"Product {id:04d}", Decimal(cents).scaleb(-2), id % 3 != 0)


PRODUCTS: tuple[Product, ...] = tuple(product(id) for id in range(1, ROWS + 1))


def page(limit: int, offset: int) -> dict[str, Any]:
    """The list endpoint's expected answer for `?limit=&offset=`."""
    items = [p.as_json() for p in PRODUCTS[offset : offset + limit]]
    return {"items": items, "total": ROWS, "limit": limit, "offset": offset}


def _ensure_database(dsn: str) -> None:
    name = urlsplit(dsn).path.lstrip("/")
    if not name:
        raise ValueError(f"{dsn}: name the benchmark's database, e.g. .../kwik_bench_db")
    with Connection(with_database(dsn, "postgres")) as db:
        if db.value("SELECT 1 FROM pg_database WHERE datname = $1", name) is None:
            db.execute(f'CREATE DATABASE "{name}"')


def prepare(url: str) -> str:
    """Create the database `url` names if it is missing (through the `postgres` database; the
    user needs CREATEDB), then the `products` table afresh with its rows, vacuumed and analyzed.

    Returns the database's plain `postgresql://` DSN, the one the servers are given.
    """
    dsn = plain_dsn(url)
    _ensure_database(dsn)
    with Connection(dsn) as db:
        db.execute("DROP TABLE IF EXISTS products")
        db.execute(TABLE)
        db.execute("INSERT INTO products VALUES " + ", ".join(p.as_sql() for p in PRODUCTS))
        db.execute("VACUUM ANALYZE products")
        found = db.value("SELECT count(*) FROM products")
    if found != ROWS:
        raise RuntimeError(f"products holds {found} rows after seeding, expected {ROWS}")
    return dsn


def describe_server(dsn: str) -> dict[str, Any]:
    """The server's version, address and the settings the report names."""
    with Connection(dsn) as db:
        version = db.value("SHOW server_version")
        settings = {name: db.value(f"SHOW {name}") for name in SETTINGS}
    parts = urlsplit(dsn)
    return {
        "version": version,
        "address": f"{parts.hostname}:{parts.port or 5432}",
        "database": parts.path.lstrip("/"),
        "settings": settings,
    }
