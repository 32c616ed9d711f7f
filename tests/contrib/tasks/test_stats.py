"""`GET /tasks/stats`: who may read it, and what it says, through an HTTP client of the app.

Who may read it doesn't depend on the database, so those tests run on SQLite; the figures are
checked on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx2
import pytest

import kwik
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.tasks.monitoring_support import (
    NEWSLETTER,
    RECEIPT,
    add_jobs,
    job,
    migrate,
    write_project,
)
from tests.support import Project

ACCESS = """
from typing import Annotated

from kwik.http import Header, HTTPError


async def stats_token(x_stats_token: Annotated[str | None, Header()] = None) -> None:
    if x_stats_token != "let-me-in":
        raise HTTPError(403, "Wrong stats token", type="urn:proj:stats-token")
"""
AUTH_SETTINGS = """
PASSWORD_HASHERS = ["kwik.contrib.auth.passwords:FastScryptHasher"]
"""
PASSWORD = "violet-kumquat-harbour-42"


@asynccontextmanager
async def stats_client(
    project: Project,
    url: str,
    *rows: dict[str, Any],
    debug: bool = True,
    extra: str = "",
    apps: tuple[str, ...] = (),
) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of the project's application, on a migrated database holding `rows`."""
    from kwik.asgi import get_application
    from kwik.db import database

    write_project(project, url, debug=debug, extra=extra, apps=apps)
    kwik.setup("proj.settings")
    try:
        await migrate()
        await add_jobs(*rows)
        transport = httpx2.ASGITransport(app=get_application(), raise_app_exceptions=False)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await database().dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'stats.sqlite3'}"


# -- who may read them -------------------------------------------------------------------------


async def test_with_debug_off_and_no_rule_the_stats_are_refused(project: Project, sqlite_url):
    async with stats_client(project, sqlite_url, debug=False) as client:
        response = await client.get("/tasks/stats")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:kwik:problem:tasks-stats-forbidden"
    assert "TASKS_STATS_DEPENDENCY" in problem["detail"]


async def test_with_debug_on_the_stats_are_open(project: Project, sqlite_url):
    async with stats_client(project, sqlite_url, debug=True) as client:
        response = await client.get("/tasks/stats")
    assert response.status_code == 200
    assert response.json()["counts"]["queued"] == 0


async def test_the_dependency_named_by_the_setting_decides_who_may_read(
    project: Project, sqlite_url
):
    project.write("proj/access.py", ACCESS)
    setting = 'TASKS_STATS_DEPENDENCY = "proj.access.stats_token"\n'
    async with stats_client(project, sqlite_url, debug=False, extra=setting) as client:
        refused = await client.get("/tasks/stats", headers={"X-Stats-Token": "guess"})
        allowed = await client.get("/tasks/stats", headers={"X-Stats-Token": "let-me-in"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:proj:stats-token"
    assert allowed.status_code == 200


async def test_a_setting_that_names_nothing_stops_the_application_with_its_name(
    project: Project, sqlite_url
):
    setting = 'TASKS_STATS_DEPENDENCY = "proj.nowhere.check"\n'
    with pytest.raises(ImproperlyConfigured, match="TASKS_STATS_DEPENDENCY: cannot import"):
        async with stats_client(project, sqlite_url, extra=setting):
            pass


async def test_with_auth_installed_only_staff_may_read(project: Project, sqlite_url):
    from kwik.contrib.auth import get_user_model

    async def user(email: str, *, staff: bool) -> None:
        account = get_user_model()(email=email, is_staff=staff)
        await account.set_password(PASSWORD)
        async with kwik.db.session() as db:
            db.add(account)

    async def token(client: httpx2.AsyncClient, email: str) -> dict[str, str]:
        response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async with stats_client(
        project,
        sqlite_url,
        debug=True,  # auth's rule holds whatever DEBUG says
        extra=AUTH_SETTINGS,
        apps=("kwik.contrib.auth",),
    ) as client:
        await user("staff@example.com", staff=True)
        await user("customer@example.com", staff=False)
        anonymous = await client.get("/tasks/stats")
        customer = await client.get(
            "/tasks/stats", headers=await token(client, "customer@example.com")
        )
        staff = await client.get("/tasks/stats", headers=await token(client, "staff@example.com"))
    assert anonymous.status_code == 401
    assert customer.status_code == 403
    assert staff.status_code == 200


async def test_openapi_documents_the_stats_their_window_and_the_refusal(
    project: Project, sqlite_url
):
    async with stats_client(project, sqlite_url) as client:
        document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/tasks/stats"]["get"]
    assert operation["tags"] == ["tasks"]
    assert [p["name"] for p in operation["parameters"]] == ["minutes"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/TasksStats"}
    assert "403" in operation["responses"]
    schema = document["components"]["schemas"]["TasksStats"]
    assert {"counts", "queues", "tasks", "throughput", "oldest_due_age_s"} <= set(
        schema["properties"]
    )


# -- what they say -----------------------------------------------------------------------------


async def test_jobs_are_counted_by_state_queue_and_task(project: Project, database_url: str):
    rows = [
        job(RECEIPT, "queued"),
        job(RECEIPT, "queued"),
        job(RECEIPT, "running"),
        job(RECEIPT, "retrying", attempts=1, max_attempts=3),
        job(RECEIPT, "succeeded"),
        job(NEWSLETTER, "failed", args={"issue": 1}),
        job(NEWSLETTER, "cancelled", args={"issue": 2}),
    ]
    async with stats_client(project, database_url, *rows) as client:
        stats = (await client.get("/tasks/stats")).json()
    assert stats["counts"] == {
        "queued": 2,
        "running": 1,
        "retrying": 1,
        "succeeded": 1,
        "failed": 1,
        "cancelled": 1,
    }
    queues = {q["name"]: q["counts"] for q in stats["queues"]}
    assert queues["default"]["queued"] == 2
    assert queues["default"]["running"] == 1
    assert queues["mail"] == {
        "queued": 0,
        "running": 0,
        "retrying": 0,
        "succeeded": 0,
        "failed": 1,
        "cancelled": 1,
    }
    tasks = {t["name"]: t["counts"] for t in stats["tasks"]}
    assert tasks[RECEIPT]["retrying"] == 1
    assert tasks[NEWSLETTER]["failed"] == 1


async def test_queue_depth_tells_due_from_scheduled_jobs_and_how_long_the_oldest_waited(
    project: Project, database_url: str
):
    rows = [
        job(RECEIPT, "queued", age=timedelta(minutes=10)),
        job(RECEIPT, "retrying", age=timedelta(minutes=2), attempts=1, max_attempts=2),
        job(RECEIPT, "queued", run_in=timedelta(hours=1)),
        job(NEWSLETTER, "queued", args={"issue": 1}, age=timedelta(seconds=30)),
        job(NEWSLETTER, "running", args={"issue": 2}, age=timedelta(hours=3)),
    ]
    async with stats_client(project, database_url, *rows) as client:
        stats = (await client.get("/tasks/stats")).json()
    queues = {q["name"]: q for q in stats["queues"]}
    assert (queues["default"]["due"], queues["default"]["scheduled"]) == (2, 1)
    assert 600 <= queues["default"]["oldest_due_age_s"] < 660
    assert (queues["mail"]["due"], queues["mail"]["scheduled"]) == (1, 0)
    assert 30 <= queues["mail"]["oldest_due_age_s"] < 90
    assert stats["oldest_due_age_s"] == queues["default"]["oldest_due_age_s"]


async def test_nothing_due_means_no_oldest_wait(project: Project, database_url: str):
    rows = [job(RECEIPT, "queued", run_in=timedelta(minutes=5)), job(RECEIPT, "succeeded")]
    async with stats_client(project, database_url, *rows) as client:
        stats = (await client.get("/tasks/stats")).json()
    assert stats["oldest_due_age_s"] is None
    assert stats["queues"][0]["oldest_due_age_s"] is None


async def test_throughput_counts_jobs_finished_per_minute_in_the_window(
    project: Project, database_url: str
):
    rows = [
        job(RECEIPT, "succeeded", age=timedelta(seconds=20)),
        job(RECEIPT, "succeeded", age=timedelta(seconds=25)),
        job(RECEIPT, "failed", age=timedelta(seconds=90)),
        job(NEWSLETTER, "failed", args={"issue": 1}, age=timedelta(seconds=150)),
        job(RECEIPT, "succeeded", age=timedelta(minutes=10)),  # before the window
        job(RECEIPT, "cancelled", age=timedelta(seconds=20)),  # neither success nor failure
    ]
    async with stats_client(project, database_url, *rows) as client:
        stats = (await client.get("/tasks/stats", params={"minutes": 3})).json()
    throughput = stats["throughput"]
    assert throughput["minutes"] == 3
    assert (throughput["succeeded"], throughput["failed"]) == (2, 2)
    assert throughput["jobs_per_s"] == round(4 / 180, 3)
    minutes = [(m["succeeded"], m["failed"]) for m in throughput["per_minute"]]
    assert minutes == [(0, 1), (0, 1), (2, 0)]  # oldest minute first
    failed = {t["name"]: t["failed_in_window"] for t in stats["tasks"]}
    assert failed == {RECEIPT: 1, NEWSLETTER: 1}


@pytest.mark.parametrize("minutes", ["0", "61", "five"])
async def test_a_window_outside_one_to_sixty_minutes_is_a_422(
    project: Project, sqlite_url, minutes: str
):
    async with stats_client(project, sqlite_url) as client:
        response = await client.get("/tasks/stats", params={"minutes": minutes})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "minutes"]
