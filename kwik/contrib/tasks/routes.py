"""`GET /tasks/stats`: the queue's numbers as JSON, for dashboards and the admin.

The numbers say what a project runs and how it fails, so the endpoint is never open to anyone
in production. Who may read it is a dependency chosen when the router is built:

1. `TASKS_STATS_DEPENDENCY`, the dotted path of a dependency, when set (your own check);
2. otherwise, with `kwik.contrib.auth` installed, its `require_staff` (401 without credentials,
   403 for a user who isn't staff);
3. otherwise `debug_only`: open with DEBUG on (development), a 403 problem with DEBUG off.

The router is built when the application asks for it, not when this module is imported, so the
choice follows the settings and INSTALLED_APPS of the project being served (a test process
serves several). Building it is one route's compilation, once per application.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Annotated, Any

from kwik.contrib.tasks.monitoring import TasksStats, stats
from kwik.db import DBSession
from kwik.http import Depends, HTTPError, Query, Router

__all__ = ["build_router", "debug_only", "stats_access", "task_stats"]

SETTING = "TASKS_STATS_DEPENDENCY"


async def debug_only() -> None:
    """Let the request in with DEBUG on; refuse it with a 403 problem otherwise."""
    from kwik.conf import settings

    if not settings.DEBUG:
        raise HTTPError(
            403,
            "The task stats are open only with DEBUG on. Install kwik.contrib.auth (staff may "
            f"read them) or set {SETTING} to a dependency that decides who may.",
            title="Forbidden",
            type="urn:kwik:problem:tasks-stats-forbidden",
        )


debug_only.openapi_responses = {  # type: ignore[attr-defined]
    403: {"description": "DEBUG is off and no other access rule is configured"}
}


def stats_access() -> Callable[..., Any]:
    """The dependency guarding the stats, from the settings and apps of the current project."""
    from kwik.apps import apps
    from kwik.conf import settings
    from kwik.imports import import_string

    path = settings.TASKS_STATS_DEPENDENCY
    if path:
        dependency = import_string(path, setting=SETTING)
        if not callable(dependency):
            from kwik.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"{SETTING}: {path!r} is not a callable dependency")
        return dependency
    if apps.is_installed("kwik.contrib.auth"):
        staff = getattr(importlib.import_module("kwik.contrib.auth"), "require_staff", None)
        if staff is not None:
            return staff
    return debug_only


async def task_stats(
    session: DBSession,
    minutes: Annotated[int, Query(ge=1, le=60, description="The throughput window")] = 5,
) -> TasksStats:
    """Jobs by state, depth and lag per queue, failures per task, and recent throughput."""
    return await stats(session, minutes=minutes)


def build_router() -> Router:
    """The app's router, with the stats guarded by `stats_access()` as it is now."""
    router = Router(tags=["tasks"])
    router.get("/stats", name="stats", dependencies=[Depends(stats_access())])(task_stats)
    return router


def __getattr__(name: str) -> Any:
    # `router` is what the registry mounts (apps.md#conventions); built on each access, see above.
    if name == "router":
        return build_router()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
