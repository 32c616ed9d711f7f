"""What every stack reads from its environment, so the harness gives all three the same database
and the same pool, and a server started by hand (`uvicorn benchmarks.db.apps.asyncpg_app:app`)
finds the benchmark's database on the local cluster."""

from __future__ import annotations

import os

__all__ = ["DSN", "DSN_VARIABLE", "POOL_SIZE", "POOL_SIZE_VARIABLE", "sqlalchemy_url"]

DSN_VARIABLE = "BENCH_DB_DSN"
POOL_SIZE_VARIABLE = "BENCH_DB_POOL_SIZE"
# Not KWIK_-prefixed: the harness's servers don't inherit KWIK_ variables.

DSN = os.environ.get(DSN_VARIABLE, "postgresql://postgres@127.0.0.1:5432/kwik_bench_db")
"""The benchmark database, as the `postgresql://` DSN asyncpg reads."""

POOL_SIZE = int(os.environ.get(POOL_SIZE_VARIABLE, "10"))
"""Connections each server keeps open, and the most it opens: no overflow, in any stack."""


def sqlalchemy_url(dsn: str = DSN) -> str:
    """`dsn` as SQLAlchemy's URL for the asyncpg driver (`postgresql+asyncpg://`)."""
    scheme, rest = dsn.split("://", 1)
    return f"postgresql+asyncpg://{rest}" if scheme in ("postgresql", "postgres") else dsn
