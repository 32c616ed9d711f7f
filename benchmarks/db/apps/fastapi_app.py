"""FastAPI + SQLAlchemy 2's async ORM, written the way their docs teach.

An engine and a sessionmaker at import, a `get_session` dependency that opens a session per
request, mapped classes, Pydantic models with `from_attributes`, and `response_model=` turning
the ORM objects into the response. The session's transaction begins with the first query and
rolls back when the session closes (nothing was written).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Numeric, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.db.apps.config import POOL_SIZE, sqlalchemy_url

__all__ = ["app"]

engine = create_async_engine(sqlalchemy_url(), pool_size=POOL_SIZE, max_overflow=0)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    in_stock: Mapped[bool]


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    price: Decimal
    in_stock: bool


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int
    limit: int
    offset: int


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/products", response_model=ProductPage)
async def list_products(
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    total = await session.scalar(select(func.count()).select_from(Product))
    products = await session.scalars(
        select(Product).order_by(Product.id).offset(offset).limit(limit)
    )
    return {"items": products.all(), "total": total, "limit": limit, "offset": offset}


@app.get("/products/{product_id}", response_model=ProductOut)
async def read_product(product_id: int, session: Session) -> Any:
    product = await session.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return product
