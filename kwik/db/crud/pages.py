"""Response shapes of lists: `Page[T]` (offset pages) and `CursorPage[T]` (keyset pages).

Both are generic over the item schema, so `-> Page[ProductOut]` is a complete response schema
for a handler (and for OpenAPI).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

__all__ = ["CursorPage", "Page"]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One offset page: `items`, the `total` of rows matching the filters, and the bounds.

    `total` is None when counting was skipped (`?total=false`, or a service with
    `count_totals = False`).
    """

    items: list[T]
    total: int | None = Field(description="Rows matching the filters, or null if not counted")
    limit: int
    offset: int


class CursorPage(BaseModel, Generic[T]):
    """One keyset page: `items` and the cursor of the next page (null on the last one)."""

    items: list[T]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")
    limit: int
