"""Tasks of the test app; each records its runs in `jobs_run` (see `record_run`)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select

import kwik.db
from kwik.contrib.tasks import background_task
from tests.contrib.tasks.jobs.models import Run


class Point(BaseModel):
    x: int
    y: int
    seen: datetime


async def record_run(key: str, note: str = "") -> int:
    """Store a run of `key`; how many runs `key` has now."""
    async with kwik.db.session() as session:
        session.add(Run(key=key, note=note))
        await session.flush()
        return int(await session.scalar(select(func.count()).where(Run.key == key)) or 0)


@background_task
async def record(key: str) -> None:
    async with kwik.db.session() as session:
        session.add(Run(key=key))


@background_task
async def add(a: int, b: int = 0) -> int:
    return a + b


@background_task
async def move(point: Point, by: int) -> Point:
    return Point(x=point.x + by, y=point.y + by, seen=point.seen)


@background_task(retries=3, backoff=0.01)
async def flaky(key: str, failures: int) -> str:
    runs = await record_run(key)
    if runs <= failures:
        raise ValueError(f"run {runs} of {key} fails")
    return f"{key} succeeded on run {runs}"


@background_task(retries=2, backoff=0.05)
async def always_fails(key: str) -> None:
    await record_run(key)
    raise RuntimeError(f"{key} is broken")


@background_task(retries=3, backoff=0.01, retry_on=[ConnectionError])
async def picky(key: str, error: str) -> None:
    await record_run(key)
    raise ConnectionError("try later") if error == "connection" else ValueError("bad input")


@background_task(timeout=0.2, retries=1, backoff=0.01)
async def sleepy(key: str, seconds: float) -> str:
    await record_run(key)
    await asyncio.sleep(seconds)
    return "woke up"


@background_task(unique=True)
async def unique_record(key: str) -> None:
    await record_run(key)


@background_task(unique=["user_id"])
async def welcome(user_id: int, note: str = "") -> None:
    await record_run(f"welcome-{user_id}", note)


@background_task(retries=1)
async def hold(key: str, seconds: float) -> str:
    """Record a start, wait, record an end: a job that is visibly in the middle of its run."""
    await record_run(key, "start")
    await asyncio.sleep(seconds)
    await record_run(key, "end")
    return key


@background_task(retries=1)
async def stall_first(key: str) -> str:
    """Hang in the first run (until its worker is killed); finish in any later run."""
    if await record_run(key, "start") == 1:
        await asyncio.sleep(3600)
    await record_run(key, "end")
    return key


@background_task
async def until_told(key: str) -> str:
    """Run until the test records a run of `<key>-go`."""
    await record_run(key, "start")
    while not await _runs_of(f"{key}-go"):
        await asyncio.sleep(0.02)
    await record_run(key, "end")
    return key


async def _runs_of(key: str) -> int:
    async with kwik.db.session() as session:
        return int(await session.scalar(select(func.count()).where(Run.key == key)) or 0)


@background_task(cron="*/5 * * * *")
async def every_five_minutes() -> None:
    await record_run("cron")


@background_task(queue="other", priority=-5)
async def elsewhere(key: str) -> None:
    await record_run(key)
