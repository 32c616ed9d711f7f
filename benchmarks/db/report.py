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
from benchmarks.harness.report import FrameworkRun
from benchmarks.harness.tables import (
    CLOSE,
    Table,
    close_line,
    number,
    render_markdown_report,
    render_text_report,
    status,
)

__all__ = ["RATIO_TARGETS", "build_report", "render_markdown", "render_text"]

SUBJECT = "kwik"

RATIO_TARGETS: dict[str, float] = {"fastapi": 2.0, "asyncpg": 0.5}
"""kwik's requests/s must be at least this multiple of each stack's, on both endpoints (issue 9)."""

MIB = 1024 * 1024


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


def _targets(stacks: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    subject = stacks.get(SUBJECT)
    subject_ok = subject is not None and subject["error"] is None
    ratios: dict[str, dict[str, float | None]] = {}
    cpu_ratios: dict[str, dict[str, float | None]] = {}
    targets: list[dict[str, Any]] = []
    for peer, threshold in RATIO_TARGETS.items():
        measured_peer = peer in stacks and stacks[peer]["error"] is None
        ratios[peer], cpu_ratios[peer] = {}, {}
        for endpoint in ENDPOINTS:
            ratio = cpu_ratio = None
            if subject_ok and measured_peer:
                mine = subject["endpoints"][endpoint.key]
                theirs = stacks[peer]["endpoints"][endpoint.key]
                ratio = round(mine["requests_per_s"] / theirs["requests_per_s"], 3)
                if mine["total_cpu_us_per_request"] and theirs["total_cpu_us_per_request"]:
                    cpu_ratio = round(
                        theirs["total_cpu_us_per_request"] / mine["total_cpu_us_per_request"], 3
                    )
            ratios[peer][endpoint.key] = ratio
            cpu_ratios[peer][endpoint.key] = cpu_ratio
            # kwik not in this run, or the peer not measured: nothing to judge. kwik broken: FAIL.
            judged = subject is not None and measured_peer
            ok = ratio is not None and ratio >= threshold
            targets.append(
                {
                    "target": f"kwik >= {threshold}x {stacks.get(peer, {}).get('label', peer)}"
                    f" requests/s on {endpoint.label}",
                    "peer": peer,
                    "endpoint": endpoint.key,
                    "threshold": threshold,
                    "measured": ratio,
                    "by_cpu": cpu_ratio,
                    "result": status(ok if judged else None),
                }
            )
    return {"requests_per_s": ratios, "cpu_per_request": cpu_ratios}, targets


def build_report(meta: dict[str, Any], runs: Sequence[FrameworkRun]) -> dict[str, Any]:
    stacks = {run.name: _stack(run) for run in runs}
    ratios, targets = _targets(stacks)
    results = [t["result"] for t in targets]
    limit = meta["noise_limit_cores"]
    rounds = [r for s in stacks.values() for e in s["endpoints"].values() for r in e["rounds"]]
    summary = {
        "noisy_rounds": sum((r["background_cores"] or 0) > limit for r in rounds),
        "rounds": len(rounds),
        "passed": results.count("PASS"),
        "failed": results.count("FAIL"),
        "not_measured": results.count("n/a"),
        "errors": {name: s["error"] for name, s in stacks.items() if s["error"]},
    }
    return {
        "meta": meta,
        "endpoints": {e.key: e.label for e in ENDPOINTS},
        "stacks": stacks,
        "kwik_ratio": ratios,
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
                    "-" if target is None else number(target["measured"], 2, "x"),
                    "-" if target is None else number(target["by_cpu"], 2, "x"),
                    "-" if target is None else f">= {target['threshold']}x",
                    "-" if target is None else target["result"],
                ]
            )
    memory = [
        [data["label"], "ERROR", "-", "-"]
        if data["error"]
        else [
            data["label"],
            number(data["rss"]["after_warmup_bytes"] / MIB, 1),
            number(data["rss"]["after_load_bytes"] / MIB, 1),
            number(data["rss"]["growth_pct"], 1, "%"),
        ]
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
    server_cpu, wrk_cpu = meta["server_cpu"], meta["wrk_cpu"]
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
        f"server: uvicorn {' '.join(meta['uvicorn_options'])}, one worker per stack"
        + (f" on CPU {server_cpu}" if server_cpu is not None else "")
        + f"; {meta['schedule']} schedule, one server loaded at a time",
        f"load: {meta['wrk']} {' '.join(meta['wrk_options'])}"
        + (f" on CPU {wrk_cpu}" if wrk_cpu is not None else "")
        + f"; {meta['warmup_s']}s mixed warm-up, then {meta['rounds']} round(s) per endpoint,"
        " median round reported",
        versions,
    ]


def _summary_lines(report: dict[str, Any]) -> list[str]:
    summary = report["summary"]
    line = f"Targets: {summary['passed']} PASS, {summary['failed']} FAIL"
    if summary["not_measured"]:
        line += f", {summary['not_measured']} not measured (stack not in this run)"
    lines = [line]
    close = [
        f"{t['peer']} {report['endpoints'][t['endpoint']]} {t['measured']:.2f}x "
        f"(target {t['threshold']}x)"
        for t in report["targets"]
        if t["measured"] and abs(t["measured"] / t["threshold"] - 1) < CLOSE
    ]
    lines += close_line(close)
    if summary["noisy_rounds"]:
        lines.append(
            f"Noise: {summary['noisy_rounds']} of {summary['rounds']} rounds ran while the rest "
            f"of the machine used more than {report['meta']['noise_limit_cores']} cores; "
            "their figures are likely low (see the noise column)"
        )
    return lines


def render_text(report: dict[str, Any]) -> str:
    return render_text_report(
        _describe_setup(report["meta"]),
        _tables(report),
        _summary_lines(report),
        report["summary"]["errors"],
    )


def render_markdown(report: dict[str, Any]) -> str:
    return render_markdown_report(
        "Kwik database benchmark",
        _describe_setup(report["meta"]),
        _tables(report),
        _summary_lines(report),
        report["summary"]["errors"],
    )
