"""`kwik sqlmigrate APP REVISION`: one migration's SQL for the project's database, not run."""

from __future__ import annotations

import pytest

from tests.migrations.conftest import Shop, create_table
from tests.support import free_port

ADD_SKU = "op.add_column('catalog_product', sa.Column('sku', sa.String(32)))"
DROP_SKU = "op.drop_column('catalog_product', 'sku')"


@pytest.fixture
def catalog(shop: Shop) -> Shop:
    shop.apps("catalog")
    shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    shop.migration(
        "catalog", "0002_sku", parent="0001_initial", upgrade=ADD_SKU, downgrade=DROP_SKU
    )
    return shop


def test_prints_the_sql_of_that_migration_only(catalog: Shop):
    result = catalog.call("sqlmigrate", "catalog", "0002")

    assert result.lines == [
        "BEGIN;",
        "",
        "ALTER TABLE catalog_product ADD COLUMN sku VARCHAR(32);",
        "",
        "COMMIT;",
    ], result.err
    assert catalog.tables() == set()


def test_backwards_prints_the_sql_that_unapplies_it(catalog: Shop):
    result = catalog.call("sqlmigrate", "catalog", "0002_sku", "--backwards")

    assert "ALTER TABLE catalog_product DROP COLUMN sku;" in result.lines, result.err


def test_needs_no_database_connection(catalog: Shop, monkeypatch: pytest.MonkeyPatch):
    dialect = (
        "sqlite+aiosqlite" if catalog.database_url.startswith("sqlite") else "postgresql+asyncpg"
    )
    monkeypatch.setenv("KWIK_DATABASE_URL", f"{dialect}://kwik@127.0.0.1:{free_port()}/shop")
    if dialect.startswith("sqlite"):
        monkeypatch.setenv("KWIK_DATABASE_URL", f"{dialect}:////nowhere/at/all.sqlite3")

    result = catalog.call("sqlmigrate", "catalog", "0002")

    assert result.code == 0, result.err


def test_a_table_rebuild_on_sqlite_is_refused_in_one_line(sqlite_shop: Shop):
    sqlite_shop.apps("catalog")
    sqlite_shop.migration(
        "catalog",
        "0001_initial",
        upgrade="""
            with op.batch_alter_table("catalog_product") as batch_op:
                batch_op.create_unique_constraint("uq_catalog_product_id", ["id"])
        """,
    )

    result = sqlite_shop.call("sqlmigrate", "catalog", "0001")

    assert result.error == (
        "Migration catalog.0001_initial can't be shown as SQL for sqlite: it rebuilds a table, "
        "which needs the live database to read the table from. `kwik migrate` runs it."
    )
