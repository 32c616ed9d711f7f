"""Helpers the CRUD tests share: a session on a fresh database with the catalog's tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kwik.conf.models import CoreSettings
from kwik.db import Database, Model
from tests.db.crud_app.models import Category, Product, Status

TABLES = [table for table in Model.metadata.sorted_tables if table.info.get("app_label") == "crud"]


async def create_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Model.metadata.create_all, tables=TABLES)


@asynccontextmanager
async def catalog_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session on `database_url` with the catalog's tables created; closed afterwards."""
    database = Database(CoreSettings(DEBUG=True, DATABASE_URL=database_url))
    await create_tables(database.engine)
    try:
        async with database.sessionmaker()() as session:
            yield session
    finally:
        await database.dispose()


def product(number: int, **fields: Any) -> dict[str, Any]:
    """Data for a product: `product(3)` is "Product 3", sku P003, price 3.00."""
    return {
        "name": f"Product {number}",
        "sku": f"P{number:03}",
        "price": Decimal(number),
        **fields,
    }


async def seed_catalog(session: AsyncSession) -> dict[str, Any]:
    """Two categories and six products with ties, NULLs and every status; committed."""
    lamps, chairs = Category(name="Lamps"), Category(name="Chairs")
    session.add_all([lamps, chairs])
    await session.flush()
    rows = [
        Product(name="Desk lamp", sku="L-1", price=Decimal("19.99"), stock=5,
                status=Status.NEW, released_on=date(2024, 1, 10), category_id=lamps.id),
        Product(name="Floor LAMP", sku="L-2", price=Decimal("49.50"), stock=0, active=False,
                status=Status.PAID, released_on=None, category_id=lamps.id),
        Product(name="Lampshade 100%", sku="L_3", price=Decimal("9.99"), stock=12,
                status=Status.SHIPPED, released_on=date(2024, 3, 1), category_id=lamps.id),
        Product(name="Oak chair", sku="C-1", price=Decimal("49.50"), stock=2,
                status=Status.PAID, released_on=date(2023, 11, 5), category_id=chairs.id),
        Product(name="Stool", sku="C-2", price=Decimal("19.99"), stock=7,
                status=Status.NEW, released_on=None, category_id=chairs.id),
        Product(name="Gift card", sku="G-1", price=Decimal("25.00"), stock=100,
                status=Status.NEW, released_on=date(2024, 1, 10), category_id=None),
    ]  # fmt: skip
    session.add_all(rows)
    await session.commit()
    return {"lamps": lamps, "chairs": chairs, "products": rows}
