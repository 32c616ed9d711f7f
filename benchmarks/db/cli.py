"""`python benchmarks/db/run.py`: seed the table, measure the stacks, print the report, save it."""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.db.apps.config import DSN_VARIABLE, POOL_SIZE_VARIABLE
from benchmarks.db.database import DEFAULT_URL, ROWS, describe_server, prepare
from benchmarks.db.endpoints import CHECKS, DETAIL_IDS, ENDPOINTS
from benchmarks.db.report import build_report, render_markdown, render_text
from benchmarks.db.stacks import STACKS
from benchmarks.harness.load import Wrk, wrk_version
from benchmarks.harness.measure import SCHEDULES, Workload, measure, version
from benchmarks.harness.noise import Patience, add_noise_options
from benchmarks.harness.results import RESULTS, log, machine, save
from benchmarks.harness.server import UVICORN_OPTIONS
from benchmarks.tasks.database import Server

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
    parser.add_argument(
        "--schedule",
        choices=sorted(SCHEDULES),
        default="interleaved",
        help="interleaved (default): all servers up, each round loads every stack in turn; "
        "sequential: one stack completely, then the next",
    )
    parser.add_argument("--duration", type=int, help="seconds per round (default 2; quick 1)")
    parser.add_argument("--rounds", type=int, help="rounds per endpoint (default 9; quick 1)")
    parser.add_argument("--warmup", type=int, help="seconds of mixed warm-up (default 5; quick 1)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    add_noise_options(parser, "round")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="don't pin the server to CPU 0 and wrk to CPU 1 (pinning needs 2+ CPUs)",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        help=f"where to write the dated and latest .md/.json files (default {DB_RESULTS}; "
        "quick runs write only when this is given)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.stacks.split(",") if n.strip()]
    unknown = [n for n in names if n not in STACKS]
    if unknown or not names:
        log(f"Unknown stack(s) {unknown}; choose from {', '.join(STACKS)}")
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
    duration = args.duration or (1 if args.quick else 2)
    rounds = args.rounds or (1 if args.quick else 9)
    warmup = args.warmup or (1 if args.quick else 5)
    quiet = Patience(
        limit_cores=args.noise_limit,
        wait_s=args.quiet_wait if args.quiet_wait is not None else (0 if args.quick else 30),
        retries=args.retries if args.retries is not None else (0 if args.quick else 2),
        budget_s=args.noise_budget,
    )
    pinned = not args.no_pin and len(os.sched_getaffinity(0)) >= 2
    server_cpu, wrk_cpu = sorted(os.sched_getaffinity(0))[:2] if pinned else (None, None)
    wrk = Wrk(args.threads, args.connections, duration, cpu=wrk_cpu)
    workload = Workload(
        endpoints=ENDPOINTS,
        checks=CHECKS,
        environment={DSN_VARIABLE: dsn, POOL_SIZE_VARIABLE: str(args.pool_size)},
        also=(Server(dsn).cpu_counter(),),
    )
    meta = {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "quick": args.quick,
        "machine": machine(),
        "python": platform.python_version(),
        "versions": {
            "python": platform.python_version(),
            **{name: version(name) for name in VERSIONED},
        },
        "postgres": postgres,
        "rows": ROWS,
        "pool_size": args.pool_size,
        "requests": {
            "list": f"GET {ENDPOINTS[0].path}",
            "detail": f"GET /products/{{id}} at {len(DETAIL_IDS)} ids in turn "
            f"({', '.join(map(str, DETAIL_IDS[:3]))}, ... {DETAIL_IDS[-1]})",
        },
        "uvicorn_options": list(UVICORN_OPTIONS),
        "server_cpu": server_cpu,
        "wrk": wrk_version(),
        "wrk_options": wrk.options(),
        "wrk_cpu": wrk_cpu,
        "warmup_s": warmup,
        "rounds": rounds,
        "schedule": args.schedule,
        "noise_limit_cores": quiet.limit_cores,
        "quiet_wait_s": quiet.wait_s,
        "retries": quiet.retries,
        "noise_budget_s": quiet.budget_s,
    }
    with tempfile.TemporaryDirectory(prefix="kwik-bench-db-") as logs:
        runs = measure(
            [STACKS[name] for name in names],
            wrk,
            schedule=args.schedule,
            rounds=rounds,
            warmup_s=warmup,
            quiet=quiet,
            cpu=server_cpu,
            logs=Path(logs),
            workload=workload,
        )
    meta["noise_budget_spent_s"] = round(quiet.spent_s, 1)
    report = build_report(meta, runs)
    print(render_text(report), flush=True)
    folder = args.results_dir or (None if args.quick else DB_RESULTS)
    if folder is not None:
        for path in save(report, folder, render_markdown):
            log(f"wrote {path}")
    return 1 if report["summary"]["errors"] else 0
