"""`kwik.db.current_session()` names the unit of work code runs in, and `Database.attach` closes
what code keeps open next to the pool along with the engine."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

import kwik
import kwik.db
from kwik.db import current_session


@pytest.fixture
def loaded(project, database_url):
    project.package(
        "unit",
        {
            "routes.py": """
            import kwik.db
            from kwik.db import DBSession
            from kwik.http import Router

            router = Router()


            @router.get("/same")
            async def same(session: DBSession) -> dict[str, bool]:
                return {"same": kwik.db.current_session() is session}


            @router.get("/none")
            async def none() -> dict[str, bool]:
                return {"none": kwik.db.current_session() is None}
            """
        },
    )
    project.settings(f"INSTALLED_APPS = ['unit']\nDATABASE_URL = {database_url!r}\n")
    kwik.setup("proj.settings")


async def test_a_session_block_is_the_current_unit_of_work_while_it_runs(loaded):
    assert current_session() is None
    try:
        async with kwik.db.session() as outer:
            assert current_session() is outer
            async with kwik.db.session() as inner:
                assert current_session() is inner
            assert current_session() is outer
    finally:
        await kwik.db.database().dispose()

    assert current_session() is None


async def test_a_block_that_raises_is_no_longer_current(loaded):
    async def fail() -> None:
        async with kwik.db.session():
            raise ZeroDivisionError

    try:
        with pytest.raises(ZeroDivisionError):
            await fail()
    finally:
        await kwik.db.database().dispose()

    assert current_session() is None


async def test_a_handler_taking_a_session_runs_in_it_and_others_in_none(loaded):
    from kwik.asgi import get_application

    transport = httpx2.ASGITransport(app=get_application())
    try:
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
            same = (await client.get("/unit/same")).json()
            none = (await client.get("/unit/none")).json()
    finally:
        await kwik.db.database().dispose()

    assert same == {"same": True}
    assert none == {"none": True}


class Resource:
    def __init__(self) -> None:
        self.closed: list[str] = []

    async def aclose(self) -> None:
        self.closed.append("aclose")

    def terminate(self) -> None:
        self.closed.append("terminate")


async def test_an_attached_resource_is_closed_when_the_database_is_disposed(loaded):
    resource = Resource()
    kwik.db.database().attach(resource)

    await kwik.db.database().dispose()

    assert resource.closed == ["aclose"]


def test_an_attached_resource_is_dropped_when_its_event_loop_is_gone(loaded):
    resource = Resource()

    async def attach() -> None:
        kwik.db.database().attach(resource)

    async def use_again() -> None:
        kwik.db.database().engine  # noqa: B018 - a new loop makes a new engine
        await kwik.db.database().dispose()

    asyncio.run(attach())
    asyncio.run(use_again())

    assert resource.closed == ["terminate"]
