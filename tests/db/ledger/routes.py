"""Routes that write through the request's session, for the session tests."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from kwik.db import DBSession
from kwik.http import HTTPError, Router
from tests.db.ledger.models import Account

router = Router()


@router.post("/accounts/{name}", status_code=201)
async def open_account(name: str, session: DBSession) -> dict[str, object]:
    account = Account(name=name)
    session.add(account)
    await session.flush()
    if name.startswith("fail"):
        raise HTTPError(422, f"{name} was refused after the insert")
    if name.startswith("crash"):
        raise RuntimeError("the handler crashed after the insert")
    return {"id": account.id, "name": name}


@router.post("/late/{name}", status_code=201)
async def open_account_at_commit(name: str, session: DBSession) -> dict[str, str]:
    """Adds without flushing: a duplicate name surfaces only when the request's session commits."""
    session.add(Account(name=name))
    return {"name": name}


@router.post("/numbered/{name}", status_code=201)
async def open_numbered_account(name: str, session: DBSession) -> dict[str, object]:
    """Reads, then writes: the pattern that deadlocks SQLite without BEGIN IMMEDIATE."""
    existing = await session.scalar(select(func.count()).select_from(Account))
    account = Account(name=f"{name}-after-{existing}")
    session.add(account)
    await session.flush()
    return {"id": account.id}


@router.get("/accounts")
async def count_accounts(session: DBSession) -> dict[str, int]:
    total = await session.scalar(select(func.count()).select_from(Account))
    return {"count": int(total or 0)}


@router.get("/balance")
async def balance() -> dict[str, str]:
    return {"balance": str(Decimal("0.00"))}
