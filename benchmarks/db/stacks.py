"""The three stacks, each served by one uvicorn worker as the HTTP benchmark serves its apps."""

from __future__ import annotations

from benchmarks.harness.server import Framework

__all__ = ["STACKS"]

STACKS: dict[str, Framework] = {
    f.name: f
    for f in (
        Framework("kwik", "Kwik", "benchmarks.db.apps.kwik_app:app", "kwik"),
        Framework(
            "fastapi", "FastAPI+SQLAlchemy ORM", "benchmarks.db.apps.fastapi_app:app", "fastapi"
        ),
        Framework("asyncpg", "Starlette+asyncpg", "benchmarks.db.apps.asyncpg_app:app", "asyncpg"),
    )
}
"""kwik through its CRUD service; FastAPI with SQLAlchemy's async ORM; the raw floor."""
