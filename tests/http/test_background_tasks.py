"""BackgroundTasks: work a handler or dependency queues to run after the response is sent."""

from __future__ import annotations

import pytest

from kwik.exceptions import ImproperlyConfigured
from kwik.http import (
    BackgroundTasks,
    Depends,
    HTTPError,
    JSONResponse,
    Response,
    Router,
    WebSocket,
)
from tests.http.clients import client_for


def test_tasks_added_by_a_handler_run_after_its_response_in_order():
    done: list[str] = []
    router = Router()

    def record(what: str) -> None:
        done.append(what)

    async def record_async(what: str) -> None:
        done.append(what)

    @router.post("/signup", status_code=201)
    async def signup(email: str, tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(record, f"welcome {email}")
        tasks.add_task(record_async, f"notify admins of {email}")
        done.append("handler")
        return {"email": email}

    response = client_for(router).post("/signup?email=ada@example.com")

    assert response.status_code == 201
    assert response.json() == {"email": "ada@example.com"}
    assert done == ["handler", "welcome ada@example.com", "notify admins of ada@example.com"]


def test_a_dependency_and_its_handler_share_one_set_of_tasks():
    done: list[str] = []
    router = Router()

    async def audited(tasks: BackgroundTasks) -> None:
        tasks.add_task(done.append, "audit")

    @router.get("/report", dependencies=[Depends(audited)])
    async def report(tasks: BackgroundTasks, response: Response) -> dict[str, bool]:
        tasks.add_task(done.append, "report sent")
        response.headers["x-queued"] = "2"
        return {"ok": True}

    response = client_for(router).get("/report")

    assert response.headers["x-queued"] == "2"
    assert done == ["audit", "report sent"]


def test_tasks_also_run_after_a_response_the_handler_built_itself():
    done: list[str] = []
    router = Router()

    @router.get("/raw")
    async def raw(tasks: BackgroundTasks) -> JSONResponse:
        tasks.add_task(done.append, "after raw")
        return JSONResponse({"raw": True})

    assert client_for(router).get("/raw").json() == {"raw": True}
    assert done == ["after raw"]


def test_a_sync_handler_can_queue_tasks():
    done: list[str] = []
    router = Router()

    @router.get("/sync")
    def sync(tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(done.append, "from a thread")
        return {}

    client_for(router).get("/sync")

    assert done == ["from a thread"]


def test_no_task_runs_when_the_handler_fails():
    done: list[str] = []
    router = Router()

    @router.get("/fails")
    async def fails(tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(done.append, "must not run")
        raise HTTPError(409, "Taken")

    assert client_for(router).get("/fails").status_code == 409
    assert done == []


def test_background_tasks_are_not_documented_as_a_parameter():
    from kwik.http.openapi import openapi_document

    router = Router()

    @router.get("/quiet")
    async def quiet(tasks: BackgroundTasks) -> dict[str, str]:
        return {}

    document = openapi_document(router.routes, title="t", version="1")

    assert "parameters" not in document["paths"]["/quiet"]["get"]


def test_a_websocket_handler_cannot_ask_for_background_tasks():
    router = Router()

    with pytest.raises(ImproperlyConfigured, match="BackgroundTasks"):

        @router.websocket("/ws")
        async def ws(websocket: WebSocket, tasks: BackgroundTasks) -> None:
            pass
