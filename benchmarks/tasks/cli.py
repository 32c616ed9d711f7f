"""`python benchmarks/tasks/run.py`: measure the queues, print the report, save it."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.harness.command import (
    add_results_option,
    chosen,
    noise_meta,
    patience,
    publish,
    run_meta,
)
from benchmarks.harness.noise import add_noise_options
from benchmarks.harness.postgres import Connection, Server
from benchmarks.harness.results import RESULTS, log
from benchmarks.tasks.measure import Sizes, measure
from benchmarks.tasks.queues import CONTENDERS
from benchmarks.tasks.report import build_report, render_markdown, render_text

__all__ = ["main"]

VERSIONED = ("kwik", "sqlalchemy", "asyncpg", "psycopg", "uvloop")
POSTGRES_SETTINGS = ("fsync", "synchronous_commit", "shared_buffers")
FULL = Sizes(one_by_one=3_000, bulk=100_000, drain=20_000, memory=100_000, memory_checkpoint=10_000)
QUICK = Sizes(one_by_one=200, bulk=2_000, drain=1_000, memory=2_000, memory_checkpoint=200)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/tasks/run.py",
        description="Enqueue no-op jobs one by one and in bulk, and drain them with one worker "
        "process, on kwik's queue, PgQueuer and procrastinate; report jobs/s, kwik's ratios "
        "and its worker's memory.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run with small counts ({QUICK.one_by_one} one by one, {QUICK.bulk} bulk, "
        f"{QUICK.drain} drained, one round); saves nothing unless --results-dir is given",
    )
    parser.add_argument(
        "--queues",
        default=",".join(CONTENDERS),
        help=f"comma-separated, in order (default: {','.join(CONTENDERS)})",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("KWIK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/"),
        help="the PostgreSQL server to run on (its database part is ignored; the user needs "
        "CREATEDB); default KWIK_TEST_DATABASE_URL, else the local cluster",
    )
    parser.add_argument("--rounds", type=int, help="rounds of every phase (default 3; quick 1)")
    parser.add_argument(
        "--one-by-one", type=int, help=f"jobs enqueued one by one (default {FULL.one_by_one:,})"
    )
    parser.add_argument("--bulk", type=int, help=f"jobs enqueued in bulk (default {FULL.bulk:,})")
    parser.add_argument("--drain", type=int, help=f"jobs drained (default {FULL.drain:,})")
    parser.add_argument(
        "--memory", type=int, help=f"jobs the memory run drains (default {FULL.memory:,})"
    )
    add_noise_options(parser, "measurement")
    add_results_option(parser, "tasks-<date> and tasks-latest .md/.json", RESULTS)
    return parser


def _sizes(args: argparse.Namespace) -> Sizes:
    base = QUICK if args.quick else FULL
    memory = args.memory or base.memory
    return Sizes(
        one_by_one=args.one_by_one or base.one_by_one,
        bulk=args.bulk or base.bulk,
        drain=args.drain or base.drain,
        memory=memory,
        memory_checkpoint=max(memory // 10, 1),
    )


def _postgres(server: Server) -> dict[str, object]:
    with Connection(server.maintenance) as db:
        settings = {name: db.value(f"SHOW {name}") for name in POSTGRES_SETTINGS}
        found = db.value("SHOW server_version")
    parts = urlsplit(server.url)
    return {
        "version": found,
        "address": f"{parts.hostname}:{parts.port or 5432}",
        "settings": settings,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = chosen(args.queues, CONTENDERS, "queue")
    if names is None:
        return 2
    server = Server(args.database_url)
    try:
        postgres = _postgres(server)
    except Exception as exc:  # any failure to connect: say which server, and stop
        log(f"No PostgreSQL answers at {urlsplit(server.url).netloc}: {exc}")
        return 2
    sizes = _sizes(args)
    rounds = args.rounds or (1 if args.quick else 3)
    quiet = patience(args)
    meta = {
        **run_meta(args.quick, VERSIONED),
        "postgres": postgres,
        "sizes": {
            "one_by_one": sizes.one_by_one,
            "bulk": sizes.bulk,
            "drain": sizes.drain,
            "memory": sizes.memory,
            "memory_checkpoint": sizes.memory_checkpoint,
        },
        "rounds": rounds,
        **noise_meta(quiet),
    }
    with tempfile.TemporaryDirectory(prefix="kwik-bench-tasks-") as logs:
        runs = measure(
            [CONTENDERS[name] for name in names],
            server=server,
            sizes=sizes,
            rounds=rounds,
            quiet=quiet,
            logs=Path(logs),
            memory_of="kwik" if "kwik" in names else None,
        )
    meta["noise_budget_spent_s"] = round(quiet.spent_s, 1)
    folder = args.results_dir or (None if args.quick else RESULTS)
    report = build_report(meta, runs)
    return publish(report, render_text, render_markdown, folder, prefix="tasks-")
