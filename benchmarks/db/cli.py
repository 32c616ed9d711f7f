"""`python benchmarks/db/run.py`: seed the table, measure the stacks, print the report, save it."""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit

from benchmarks.db.apps.config import DSN_VARIABLE, POOL_SIZE_VARIABLE
from benchmarks.db.database import DEFAULT_URL, ROWS, describe_server, prepare
from benchmarks.db.endpoints import CHECKS, DETAIL_IDS, ENDPOINTS
from benchmarks.db.report import build_report, render_markdown, render_text
from benchmarks.db.stacks import STACKS
from benchmarks.harness.command import (
    LoadRun,
    add_load_options,
    add_results_option,
    chosen,
    publish,
    run_meta,
)
from benchmarks.harness.load import wrk_version
from benchmarks.harness.measure import Workload
from benchmarks.harness.postgres import Server
from benchmarks.harness.results import RESULTS, log

__all__ = ["main"]

DB_RESULTS = RESULTS / "db"
URL_VARIABLE = "KWIK_BENCH_DATABASE_URL"
VERSIONED = (
    "kwik",
    "fastapi",
    "sqlalchemy",
    "asyncpg",
    "starlette",
    "pydantic",
    "pydantic-core",
    "uvicorn",
    "uvloop",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/db/run.py",
        description="Serve the same PostgreSQL-backed list and detail endpoints from kwik, "
        "FastAPI + SQLAlchemy's ORM and Starlette + raw asyncpg (one uvicorn worker each), load "
        "each with wrk, and report requests/s, p99, CPU per request and kwik's targets.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1s warm-up, one 1s round per endpoint; saves nothing unless "
        "--results-dir is given",
    )
    parser.add_argument(
        "--stacks",
        default=",".join(STACKS),
        help=f"comma-separated, in order (default: {','.join(STACKS)})",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(URL_VARIABLE, DEFAULT_URL),
        help=f"the benchmark's database, created if missing (its user needs CREATEDB); its "
        f"products table is made afresh. Default {URL_VARIABLE}, else {DEFAULT_URL}",
    )
    parser.add_argument(
        "--pool-size", type=int, default=10, help="every stack's connection pool (10)"
    )
    add_load_options(parser, "stack")
    add_results_option(parser, "the dated and latest .md/.json files", DB_RESULTS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = chosen(args.stacks, STACKS, "stack")
    if names is None:
        return 2
    if wrk_version() == "missing":
        log("wrk is not installed: run `make bench-db` (it installs wrk) or `apt-get install wrk`")
        return 2
    try:
        dsn = prepare(args.database_url)
        postgres = describe_server(dsn)
    except Exception as exc:  # any failure to connect or seed: say which server, and stop
        where = urlsplit(args.database_url)  # no user or password in the message
        log(f"Cannot prepare the database at {where.hostname}:{where.port or 5432}: {exc}")
        return 2
    load = LoadRun.from_args(args)
    workload = Workload(
        endpoints=ENDPOINTS,
        checks=CHECKS,
        environment={DSN_VARIABLE: dsn, POOL_SIZE_VARIABLE: str(args.pool_size)},
        also=(Server(dsn).cpu_counter(),),
    )
    meta = {
        **run_meta(args.quick, VERSIONED),
        "postgres": postgres,
        "rows": ROWS,
        "pool_size": args.pool_size,
        "requests": {
            "list": f"GET {ENDPOINTS[0].path}",
            "detail": f"GET /products/{{id}} at {len(DETAIL_IDS)} ids in turn "
            f"({', '.join(map(str, DETAIL_IDS[:3]))}, ... {DETAIL_IDS[-1]})",
        },
        **load.meta(),
    }
    runs = load.measure([STACKS[name] for name in names], logs="kwik-bench-db-", workload=workload)
    meta["noise_budget_spent_s"] = round(load.quiet.spent_s, 1)
    folder = args.results_dir or (None if args.quick else DB_RESULTS)
    return publish(build_report(meta, runs), render_text, render_markdown, folder)
