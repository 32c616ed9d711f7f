"""The database benchmark's report: kwik's ratio to each stack, the targets, the tables.

The report is a plain dict (what `results/db/latest.json` holds); the tables are views of it,
laid out like the HTTP benchmark's (benchmarks/harness/tables.py). Each endpoint's CPU is given
twice, the server's and the database server's per request: an ORM's extra round trips cost
PostgreSQL time as well as Python time, and `by CPU` compares the two together.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from benchmarks.db.endpoints import ENDPOINTS
from benchmarks.harness.report import (
    FrameworkRun,
    load_setup,
    peer_targets,
    rss_cells,
    target_cells,
)
from benchmarks.harness.tables import (
    CLOSE,
    Table,
    number,
    report_views,
    summarize,
    summary_lines,
)

__all__ = ["RATIO_TARGETS", "build_report", "render_markdown", "render_text"]

RATIO_TARGETS: dict[str, float] = {"fastapi": 2.0, "asyncpg": 0.5}
"""kwik's requests/s must be at least this multiple of each stack's, on both endpoints (issue 9)."""


def _stack(run: FrameworkRun) -> dict[str, Any]:
    """`run` as the HTTP report has it, with the database's and the total CPU per request."""
    data = run.to_json()
    for key, figures in data["endpoints"].items():
        values = [r.database_cpu_us_per_request for r in run.rounds[key]]
        known = [v for v in values if v is not None]
        database = round(statistics.median(known), 1) if known else None
        figures["database_cpu_us_per_request"] = database
        server = figures["server_cpu_us_per_request"]
        both = [
            r.server_cpu_us_per_request + r.database_cpu_us_per_request
            for r in run.rounds[key]
            if r.server_cpu_us_per_request is not None and r.database_cpu_us_per_request is not None
        ]
        figures["total_cpu_us_per_request"] = round(statistics.median(both), 1) if both else server
    return data


def build_report(meta: dict[str, Any], runs: Sequence[FrameworkRun]) -> dict[str, Any]:
    stacks = {run.name: _stack(run) for run in runs}
    ratios, cpu_ratios, targets = peer_targets(
        stacks, RATIO_TARGETS, ENDPOINTS, "total_cpu_us_per_request"
    )
    rounds = [r for s in stacks.values() for e in s["endpoints"].values() for r in e["rounds"]]
    summary = summarize(targets, rounds, meta["noise_limit_cores"], stacks)
    return {
        "meta": meta,
        "endpoints": {e.key: e.label for e in ENDPOINTS},
        "stacks": stacks,
        "kwik_ratio": {"requests_per_s": ratios, "cpu_per_request": cpu_ratios},
        "targets": targets,
        "summary": summary,
    }


# -- views -------------------------------------------------------------------------------------


def _tables(report: dict[str, Any]) -> list[Table]:
    stacks = report["stacks"]
    by_key = {(t["peer"], t["endpoint"]): t for t in report["targets"]}
    throughput: list[list[str]] = []
    for key, label in report["endpoints"].items():
        for name, data in stacks.items():
            if data["error"]:
                throughput.append([label, data["label"], "ERROR", *["-"] * 9])
                continue
            figures = data["endpoints"][key]
            target = by_key.get((name, key))
            throughput.append(
                [
                    label,
                    data["label"],
                    number(figures["requests_per_s"]),
                    number(figures["latency_p99_ms"], 2),
                    number(figures["server_cpu_us_per_request"], 0),
                    number(figures["database_cpu_us_per_request"], 0),
                    number(figures["spread_pct"], 1, "%"),
                    number(figures["noise_cores"], 2),
                    *target_cells(target),
                ]
            )
    memory = [
        [data["label"], "ERROR", "-", "-"]
        if data["error"]
        else [data["label"], *rss_cells(data["rss"])]
        for data in stacks.values()
    ]
    return [
        (
            "Throughput",
            [
                "endpoint",
                "stack",
                "requests/s",
                "p99 ms",
                "server µs/req",
                "db µs/req",
                "spread",
                "noise",
                "kwik ÷ this",
                "by CPU",
                "target",
                "result",
            ],
            throughput,
        ),
        (
            "Server memory (RSS, MiB; not judged)",
            ["stack", "after warm-up", "after load", "growth"],
            memory,
        ),
    ]


def _describe_setup(meta: dict[str, Any]) -> list[str]:
    postgres = meta["postgres"]
    settings = ", ".join(f"{k} {v}" for k, v in postgres["settings"].items())
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    return [
        f"{meta['date']}{' (quick run)' if meta['quick'] else ''} on {meta['machine']}",
        f"database: PostgreSQL {postgres['version']} at {postgres['address']}, database "
        f"{postgres['database']} ({settings}), not pinned; table products, {meta['rows']:,} rows; "
        f"every stack's pool {meta['pool_size']} connections, no overflow",
        f"requests: {meta['requests']['list']}; {meta['requests']['detail']}",
        "server µs/req: the server's CPU time per request; db µs/req: PostgreSQL's (postmaster "
        "and backends), both the median round's; `by CPU` is kwik's ratio by the two together",
        f"noise: CPU cores the rest of the machine used during a round (PostgreSQL's own is not "
        f"noise; max over the rounds); a round above {meta['noise_limit_cores']} is run again "
        f"(up to {meta['retries']} times)",
        *load_setup(meta, "stack"),
        versions,
    ]


def _summary_lines(report: dict[str, Any]) -> list[str]:
    close = [
        f"{t['peer']} {report['endpoints'][t['endpoint']]} {t['measured']:.2f}x "
        f"(target {t['threshold']}x)"
        for t in report["targets"]
        if t["measured"] and abs(t["measured"] / t["threshold"] - 1) < CLOSE
    ]
    return summary_lines(report, close, absent="stack")


render_text, render_markdown = report_views(
    "Kwik database benchmark", _describe_setup, _tables, _summary_lines
)
