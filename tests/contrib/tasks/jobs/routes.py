"""A signup endpoint that enqueues a welcome job in the request's transaction."""

from __future__ import annotations

from kwik.db import DBSession
from kwik.http import HTTPError, Router
from tests.contrib.tasks.jobs.models import Run
from tests.contrib.tasks.jobs.tasks import record

router = Router()


@router.post("/signup/{name}", status_code=201)
async def signup(name: str, session: DBSession) -> dict[str, int]:
    session.add(Run(key=f"user-{name}"))
    handle = await record.enqueue(f"welcome-{name}")
    if name.startswith("fail"):
        raise HTTPError(422, f"{name} can't sign up")
    return {"job": handle.id}
