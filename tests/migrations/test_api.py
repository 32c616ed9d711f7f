"""`kwik.migrations.migrate_to_heads`: what a test-database fixture calls on a fresh database."""

from __future__ import annotations

import asyncio

import kwik
from kwik.db import database
from kwik.migrations import migrate_to_heads
from tests.migrations.conftest import Shop, create_table


async def _migrate_twice() -> list[bool]:
    """Migrate on one transaction-less connection twice; whether a transaction was left open."""
    left_open = []
    engine = database().engine
    try:
        async with engine.connect() as connection:
            for _ in range(2):
                await migrate_to_heads(connection)
                left_open.append(connection.in_transaction())
    finally:
        await database().dispose()
    return left_open


def test_brings_a_fresh_database_to_the_latest_migrations(shop: Shop):
    shop.apps("catalog", "orders")
    shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    shop.migration(
        "orders",
        "0001_initial",
        depends_on=("catalog_0001_initial",),
        upgrade=create_table("orders_order"),
    )
    kwik.setup()

    left_open = asyncio.run(_migrate_twice())

    assert left_open == [False, False]
    assert {"catalog_product", "orders_order"} <= shop.tables()
    assert shop.versions() == {"orders_0001_initial"}
