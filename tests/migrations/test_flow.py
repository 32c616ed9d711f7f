"""The whole migration workflow, as a developer lives it, on SQLite and on PostgreSQL.

Two apps get models, their first migrations and the tables; then the models change (a column,
an index, a foreign key to the other app) and `makemigrations` writes exactly that change, which
`migrate` applies; one app is unapplied to zero and applied again; finally an enum column joins
an existing table. Each step is the real `kwik` script. Both apps have an enum class named
`Status`: on PostgreSQL each app's gets a type of its own, made and dropped by its migrations.
"""

from __future__ import annotations

import pytest

from tests.migrations.conftest import Shop

pytestmark = pytest.mark.slow

CATALOG = """
import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model, TimestampMixin


class Status(enum.Enum):
    DRAFT = "draft"
    LIVE = "live"


class Kind(enum.Enum):
    LAMP = "lamp"
    CHAIR = "chair"


class Product(IDMixin, TimestampMixin, Model):
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[Status]
"""

CATALOG_WITH_SKU = f"""{CATALOG}
    sku: Mapped[str | None] = mapped_column(String(32), index=True)
"""

CATALOG_WITH_KIND = f"""{CATALOG_WITH_SKU}
    kind: Mapped[Kind | None]
"""

ORDERS = """
import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model


class Status(enum.Enum):
    NEW = "new"
    PAID = "paid"


class Order(IDMixin, Model):
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[Status]
"""

ORDERS_WITH_PRODUCT = f"""{ORDERS}
    product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_product.id"))
""".replace("from sqlalchemy import String", "from sqlalchemy import ForeignKey, String")


def applying(lines: list[str]) -> list[str]:
    return [line for line in lines if "Applying" in line]


def enum_types(shop: Shop) -> set[str]:
    """The database's enum types (PostgreSQL's; SQLite has none)."""
    if shop.database_url.startswith("sqlite"):
        return set()
    return {str(name) for name in shop.rows("SELECT typname FROM pg_type WHERE typtype = 'e'")}


def on_postgresql(shop: Shop, names: set[str]) -> set[str]:
    return set() if shop.database_url.startswith("sqlite") else names


def test_models_to_tables_to_changes_to_zero_and_back(shop: Shop):
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
    catalog_file = (shop.root / "catalog/migrations/0001_initial.py").read_text()
    assert "sa.DateTime(timezone=True)" in catalog_file  # kwik's UTCDateTime, as what it stores
    assert "kwik" not in catalog_file.partition('"""\n')[2]  # the code after the docstring
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    migrated = shop.kwik("migrate")
    assert applying(migrated.lines) == [
        "  Applying catalog.0001_initial... OK",
        "  Applying orders.0001_initial... OK",
    ], migrated.err
    assert {"catalog_product", "orders_order", "kwik_migrations"} <= shop.tables()
    assert enum_types(shop) == on_postgresql(shop, {"catalog_status", "orders_status"})

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
    assert applying(migrated.lines) == [
        "  Applying catalog.0002_product_sku... OK",
        "  Applying orders.0002_order_product_id... OK",
    ], migrated.err
    assert "sku" in shop.columns("catalog_product")
    assert "ix_catalog_product_sku" in shop.indexes("catalog_product")
    assert ("product_id", "catalog_product") in shop.foreign_keys("orders_order")
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    # Unapplying catalog takes back what depends on it first, and catalog's enum type.
    zero = shop.kwik("migrate", "catalog", "zero")
    assert zero.lines[-4:] == [
        "  Also unapplying orders.0002_order_product_id, which depends on catalog.",
        "  Unapplying orders.0002_order_product_id... OK",
        "  Unapplying catalog.0002_product_sku... OK",
        "  Unapplying catalog.0001_initial... OK",
    ], zero.err
    assert "catalog_product" not in shop.tables()
    assert "product_id" not in shop.columns("orders_order")
    assert enum_types(shop) == on_postgresql(shop, {"orders_status"})

    shown = shop.kwik("showmigrations")
    assert shown.lines == [
        "catalog",
        " [ ] 0001_initial",
        " [ ] 0002_product_sku",
        "orders",
        " [X] 0001_initial",
        " [ ] 0002_order_product_id",
    ]

    # And forward again: the tables and the type are made anew.
    migrated = shop.kwik("migrate")
    assert applying(migrated.lines) == [
        "  Applying catalog.0001_initial... OK",
        "  Applying catalog.0002_product_sku... OK",
        "  Applying orders.0002_order_product_id... OK",
    ], migrated.err
    assert enum_types(shop) == on_postgresql(shop, {"catalog_status", "orders_status"})

    # An enum column joins an existing table: its type is made before the column is added.
    shop.models("catalog", CATALOG_WITH_KIND)
    made = shop.kwik("makemigrations")
    assert made.lines == [
        "Migrations for 'catalog':",
        "  catalog/migrations/0003_product_kind.py",
        "    - Add column kind to catalog_product",
    ], made.err
    migrated = shop.kwik("migrate")
    assert applying(migrated.lines) == ["  Applying catalog.0003_product_kind... OK"], migrated.err
    assert "kind" in shop.columns("catalog_product")
    assert enum_types(shop) == on_postgresql(
        shop, {"catalog_status", "catalog_kind", "orders_status"}
    )
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    back = shop.kwik("migrate", "catalog", "0002")
    assert back.lines[-1:] == ["  Unapplying catalog.0003_product_kind... OK"], back.err
    assert enum_types(shop) == on_postgresql(shop, {"catalog_status", "orders_status"})
    assert shop.kwik("migrate").code == 0
