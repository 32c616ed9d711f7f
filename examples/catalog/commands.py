"""`kwik catalog-seed`: fill the catalog with sample rows, so the demo has something to show."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import click
from sqlalchemy import func, select

import kwik
import kwik.db

from .models import Category, Product

CATEGORIES = ["Lighting", "Furniture", "Kitchen"]


async def seed(count: int) -> int:
    async with kwik.db.session() as session:
        if await session.scalar(select(func.count()).select_from(Product)):
            return 0
        categories = [Category(name=name) for name in CATEGORIES]
        session.add_all(categories)
        await session.flush()
        session.add_all(
            Product(
                name=f"{categories[i % 3].name} item {i + 1}",
                sku=f"SKU-{i + 1:04}",
                price=Decimal(5 + (i * 7) % 120) + Decimal("0.99"),
                active=i % 10 != 0,
                category_id=categories[i % 3].id,
            )
            for i in range(count)
        )
    await kwik.db.database().dispose()
    return count


@click.command("catalog-seed")
@click.option("--count", default=60, show_default=True, help="How many products to add.")
def catalog_seed(count: int) -> None:
    """Add sample categories and products (only into an empty catalog)."""
    kwik.setup()
    added = asyncio.run(seed(count))
    click.echo(f"Added {added} products." if added else "The catalog has products already.")
