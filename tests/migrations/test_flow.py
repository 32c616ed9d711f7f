"""The whole migration workflow, as a developer lives it, on SQLite and on PostgreSQL.

Two apps get models, their first migrations and the tables; then the models change (a column,
an index, a foreign key to the other app) and `makemigrations` writes exactly that change, which
`migrate` applies; finally one app is unapplied to zero. Each step is the real `kwik` script.
"""

from __future__ import annotations

import pytest

from tests.migrations.conftest import Shop

pytestmark = pytest.mark.slow

CATALOG = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model, TimestampMixin


class Product(IDMixin, TimestampMixin, Model):
    name: Mapped[str] = mapped_column(String(200))
"""

CATALOG_WITH_SKU = f"""{CATALOG}
    sku: Mapped[str | None] = mapped_column(String(32), index=True)
"""

ORDERS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model


class Order(IDMixin, Model):
    number: Mapped[str] = mapped_column(String(20), unique=True)
"""

ORDERS_WITH_PRODUCT = f"""{ORDERS}
    product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_product.id"))
""".replace("from sqlalchemy import String", "from sqlalchemy import ForeignKey, String")


def test_models_to_tables_to_changes_to_zero(shop: Shop):
    shop.apps("catalog", "orders")
    shop.models("catalog", CATALOG)
    shop.models("orders", ORDERS)

    # New models: --check fails (writing nothing), makemigrations writes both apps' first files.
    check = shop.kwik("makemigrations", "--check")
    assert check.code == 1, check.err
    assert shop.migration_files("catalog") == shop.migration_files("orders") == []
    made = shop.kwik("makemigrations")
    assert made.lines == [
        "Migrations for 'catalog':",
        "  catalog/migrations/0001_initial.py",
        "    - Create table catalog_product",
        "Migrations for 'orders':",
        "  orders/migrations/0001_initial.py",
        "    - Create table orders_order",
    ], made.err
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    migrated = shop.kwik("migrate")
    assert [line for line in migrated.lines if "Applying" in line] == [
        "  Applying catalog.0001_initial... OK",
        "  Applying orders.0001_initial... OK",
    ], migrated.err
    assert {"catalog_product", "orders_order", "kwik_migrations"} <= shop.tables()

    # The models change: a column with an index, and a foreign key to the other app.
    shop.models("catalog", CATALOG_WITH_SKU)
    shop.models("orders", ORDERS_WITH_PRODUCT)
    assert shop.kwik("makemigrations", "--check").code == 1
    made = shop.kwik("makemigrations")
    assert made.lines == [
        "Migrations for 'catalog':",
        "  catalog/migrations/0002_product_sku.py",
        "    - Add column sku to catalog_product",
        "    - Create index ix_catalog_product_sku on catalog_product (sku)",
        "Migrations for 'orders':",
        "  orders/migrations/0002_order_product_id.py",
        "    - Add column product_id to orders_order",
        "    - Create foreign key fk_orders_order_product_id_catalog_product on orders_order "
        "(product_id) -> catalog_product (id)",
    ], made.err
    orders_file = (shop.root / "orders/migrations/0002_order_product_id.py").read_text()
    assert "depends_on = ('catalog_0002_product_sku',)" in orders_file
    assert orders_file.count("batch_op.add_column(") == 1
    assert orders_file.count("batch_op.create_foreign_key(") == 1

    migrated = shop.kwik("migrate")
    assert [line for line in migrated.lines if "Applying" in line] == [
        "  Applying catalog.0002_product_sku... OK",
        "  Applying orders.0002_order_product_id... OK",
    ], migrated.err
    assert "sku" in shop.columns("catalog_product")
    assert "ix_catalog_product_sku" in shop.indexes("catalog_product")
    assert ("product_id", "catalog_product") in shop.foreign_keys("orders_order")
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    # Unapplying catalog takes back what depends on it first.
    zero = shop.kwik("migrate", "catalog", "zero")
    assert zero.lines[-4:] == [
        "  Also unapplying orders.0002_order_product_id, which depends on catalog.",
        "  Unapplying orders.0002_order_product_id... OK",
        "  Unapplying catalog.0002_product_sku... OK",
        "  Unapplying catalog.0001_initial... OK",
    ], zero.err
    assert "catalog_product" not in shop.tables()
    assert "product_id" not in shop.columns("orders_order")

    shown = shop.kwik("showmigrations")
    assert shown.lines == [
        "catalog",
        " [ ] 0001_initial",
        " [ ] 0002_product_sku",
        "orders",
        " [X] 0001_initial",
        " [ ] 0002_order_product_id",
    ]
