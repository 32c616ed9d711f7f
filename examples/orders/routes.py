"""GET /orders/ needs a key granted `orders:read`; POST /orders/ one granted `orders:write`.

`require_scopes` checks the key and its scopes before the handler runs: a request without a
usable key is answered 401, one whose key lacks the scope 403, each as a problem document, and
OpenAPI lists each operation's scopes on the apiKey scheme.
"""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import select

from kwik.contrib.security.apikeys import APIKey, require_scopes
from kwik.db import DBSession
from kwik.http import Depends, Router

from .models import Order
from .schemas import OrderIn, OrderOut

router = Router()

OrderWriter = Annotated[APIKey, Depends(require_scopes("orders:write"))]


@router.get("/", dependencies=[Depends(require_scopes("orders:read"))])
async def list_orders(session: DBSession) -> list[OrderOut]:
    orders = await session.scalars(select(Order).order_by(Order.id))
    return [OrderOut.model_validate(order, from_attributes=True) for order in orders]


@router.post("/", status_code=201)
async def place_order(order: OrderIn, key: OrderWriter, session: DBSession) -> OrderOut:
    placed = Order(item=order.item, quantity=order.quantity, placed_by=key.name)
    session.add(placed)
    await session.flush()
    return OrderOut.model_validate(placed, from_attributes=True)
