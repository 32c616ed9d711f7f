"""`kwik.migrations.migrate_to_heads`: what a test-database fixture calls on a fresh database."""

from __future__ import annotations

import asyncio

import pytest

import kwik
from kwik.db import database
from kwik.migrations import MigrationError, migrate_to_heads
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


CASCADING = """
    op.create_table(
        "orders_order",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "product_id", sa.Integer(), sa.ForeignKey("catalog_product.id", ondelete="CASCADE")
        ),
    )
"""

REBUILD = """
    with op.batch_alter_table("catalog_product", recreate="always") as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer())
"""


async def _migrate_in_a_transaction() -> str:
    """Migrate inside a transaction the caller began; the error it gives."""
    engine = database().engine
    try:
        async with engine.connect() as connection, connection.begin():
            with pytest.raises(MigrationError) as raised:
                await migrate_to_heads(connection)
            return str(raised.value)
    finally:
        await database().dispose()


def test_on_sqlite_a_transaction_begun_by_the_caller_is_refused(sqlite_shop: Shop):
    sqlite_shop.apps("catalog", "orders")
    sqlite_shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    sqlite_shop.migration(
        "orders", "0001_initial", depends_on=("catalog_0001_initial",), upgrade=CASCADING
    )
    migrated = sqlite_shop.call("migrate")
    assert migrated.code == 0, migrated.err
    sqlite_shop.execute(
        "INSERT INTO catalog_product (id) VALUES (1)",
        "INSERT INTO orders_order (id, product_id) VALUES (1, 1)",
    )
    sqlite_shop.migration("catalog", "0002_rebuild", parent="0001_initial", upgrade=REBUILD)
    kwik.setup()

    error = asyncio.run(_migrate_in_a_transaction())

    assert error == (
        "On SQLite, migrations run with foreign keys off (a table rebuild would otherwise delete "
        "the rows that point at it), and SQLite can't switch them off inside a transaction: "
        "pass a connection with no transaction begun"
    )
    assert sqlite_shop.rows("SELECT product_id FROM orders_order") == [1]
    assert sqlite_shop.versions() == {"orders_0001_initial"}
