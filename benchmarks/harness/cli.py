"""`python benchmarks/run.py`: measure the frameworks, print the report, save it."""

from __future__ import annotations

import argparse

from benchmarks.harness.command import (
    LoadRun,
    add_load_options,
    add_results_option,
    chosen,
    publish,
    run_meta,
)
from benchmarks.harness.load import wrk_version
from benchmarks.harness.report import build_report, render_markdown, render_text
from benchmarks.harness.results import RESULTS, log
from benchmarks.harness.server import FRAMEWORKS

__all__ = ["main"]

VERSIONED = ("kwik", "starlette", "pydantic", "pydantic-core", "uvicorn", "uvloop", "httptools")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Serve the same three endpoints from each framework (one uvicorn worker), "
        "load each with wrk, and report requests/s, p99 latency, RSS and kwik's targets.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1s warm-up, one 1s round per endpoint; saves nothing unless "
        "--results-dir is given",
    )
    parser.add_argument(
        "--frameworks",
        default=",".join(FRAMEWORKS),
        help=f"comma-separated, in order (default: {','.join(FRAMEWORKS)})",
    )
    add_load_options(parser, "framework")
    add_results_option(parser, "the dated and latest.md/.json files", RESULTS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = chosen(args.frameworks, FRAMEWORKS, "framework")
    if names is None:
        return 2
    if wrk_version() == "missing":
        log("wrk is not installed: run `make bench` (it installs wrk) or `apt-get install wrk`")
        return 2
    load = LoadRun.from_args(args)
    meta = {**run_meta(args.quick, VERSIONED), **load.meta()}
    runs = load.measure([FRAMEWORKS[name] for name in names], logs="kwik-bench-")
    meta["noise_budget_spent_s"] = round(load.quiet.spent_s, 1)
    folder = args.results_dir or (None if args.quick else RESULTS)
    return publish(build_report(meta, runs), render_text, render_markdown, folder)
