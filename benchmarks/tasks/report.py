"""The tasks report: kwik's ratio to each queue, the targets, and the tables as text and Markdown.

The report is a plain dict (what `tasks-latest.json` holds); the tables are views of it, laid out
like the HTTP benchmark's (benchmarks/harness/tables.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmarks.harness.tables import (
    CLOSE,
    Table,
    number,
    report_views,
    status,
    summarize,
    summary_lines,
)
from benchmarks.tasks.results import PHASES, QueueRun

__all__ = [
    "BULK_FLOOR",
    "RATIO_TARGETS",
    "RSS_GROWTH_LIMIT_PCT",
    "build_report",
    "render_markdown",
    "render_text",
]

SUBJECT = "kwik"

RATIO_TARGETS: dict[tuple[str, str], float] = {
    ("drain", "pgqueuer"): 1.2,
    ("drain", "procrastinate"): 10.0,
    ("one_by_one", "pgqueuer"): 1.0,
}
"""(phase, peer) -> kwik's jobs/s must be at least this multiple of the peer's (issue 6)."""

BULK_FLOOR = 50_000.0
"""kwik's bulk enqueue must reach this many jobs/s."""

RSS_GROWTH_LIMIT_PCT = 10.0
"""kwik's worker RSS at the end of the memory run must be within this % of its RSS at the
checkpoint (10,000 jobs done in a full run)."""

MIB = 1024 * 1024


def _targets(
    queues: dict[str, dict[str, Any]],
) -> tuple[dict[str, dict[str, float | None]], list[dict[str, Any]]]:
    subject = queues.get(SUBJECT)
    subject_ok = subject is not None and subject["error"] is None

    def verdict(ok: bool, judged: bool) -> str:
        # kwik not in this run, or the peer not measured: nothing to judge. kwik broken: FAIL.
        return status(ok if subject is not None and judged else None)

    ratios: dict[str, dict[str, float | None]] = {}
    for phase in PHASES:
        ratios[phase] = {}
        for peer, data in queues.items():
            if peer == SUBJECT:
                continue
            theirs = data["phases"].get(phase)
            if theirs is None and data["error"] is None:
                continue  # a queue that doesn't run this phase
            ratio = None
            if subject_ok and theirs is not None and theirs["jobs_per_s"] > 0:
                ratio = round(subject["phases"][phase]["jobs_per_s"] / theirs["jobs_per_s"], 3)
            ratios[phase][peer] = ratio
    targets: list[dict[str, Any]] = []
    for (phase, peer), threshold in RATIO_TARGETS.items():
        measured_peer = peer in queues and queues[peer]["error"] is None
        ratio = ratios[phase].get(peer)
        label = queues.get(peer, {}).get("label", peer)
        targets.append(
            {
                "target": f"kwik >= {threshold:g}x {label} jobs/s, {PHASES[phase]}",
                "phase": phase,
                "peer": peer,
                "threshold": threshold,
                "measured": ratio,
                "result": verdict(ratio is not None and ratio >= threshold, measured_peer),
            }
        )
    bulk = subject["phases"]["bulk"]["jobs_per_s"] if subject_ok else None
    targets.append(
        {
            "target": f"kwik enqueues >= {BULK_FLOOR:,.0f} jobs/s in bulk",
            "phase": "bulk",
            "peer": None,
            "threshold": BULK_FLOOR,
            "measured": bulk,
            "result": verdict(bulk is not None and bulk >= BULK_FLOOR, True),
        }
    )
    memory = subject["memory"] if subject_ok else None
    growth = memory["growth_pct"] if memory else None
    judged = subject is not None and (memory is not None or subject["error"] is not None)
    targets.append(
        {
            "target": f"kwik's worker RSS stays within {RSS_GROWTH_LIMIT_PCT:g}% while draining",
            "phase": "memory",
            "peer": None,
            "threshold": RSS_GROWTH_LIMIT_PCT,
            "measured": growth,
            "result": verdict(growth is not None and abs(growth) <= RSS_GROWTH_LIMIT_PCT, judged),
        }
    )
    return ratios, targets


def build_report(meta: dict[str, Any], runs: Sequence[QueueRun]) -> dict[str, Any]:
    queues = {run.name: run.to_json() for run in runs}
    ratios, targets = _targets(queues)
    rounds = [r for q in queues.values() for p in q["phases"].values() for r in p["rounds"]]
    summary = summarize(targets, rounds, meta["noise_limit_cores"], queues)
    return {
        "meta": meta,
        "phases": dict(PHASES),
        "queues": queues,
        "kwik_ratio": ratios,
        "targets": targets,
        "summary": summary,
    }


# -- views -------------------------------------------------------------------------------------


def _throughput(report: dict[str, Any]) -> list[list[str]]:
    by_key = {(t["phase"], t["peer"]): t for t in report["targets"]}
    rows: list[list[str]] = []
    for phase, label in report["phases"].items():
        for name, data in report["queues"].items():
            if data["error"]:
                rows.append([label, data["label"], "ERROR", *["-"] * 8])
                continue
            figures = data["phases"].get(phase)
            if figures is None:
                continue
            target = by_key.get((phase, None if name == SUBJECT else name))
            ratio = report["kwik_ratio"][phase].get(name)
            if target is None:
                wanted, result = "-", "-"
            elif target["peer"] is None:
                wanted, result = f">= {target['threshold']:,.0f}/s", target["result"]
            else:
                wanted, result = f">= {target['threshold']:g}x", target["result"]
            rows.append(
                [
                    label,
                    data["label"],
                    number(figures["jobs"]),
                    number(figures["jobs_per_s"]),
                    number(figures["spread_pct"], 1, "%"),
                    number(figures["noise_cores"], 2),
                    number(figures["startup_s"], 2),
                    number(figures["total_jobs_per_s"]),
                    "-" if name == SUBJECT else number(ratio, 2, "x"),
                    wanted,
                    result,
                ]
            )
    return rows


def _memory(report: dict[str, Any]) -> list[list[str]]:
    target = next(t for t in report["targets"] if t["phase"] == "memory")
    subject = report["queues"].get(SUBJECT)
    if subject is None:
        return []
    if subject["error"] or subject["memory"] is None:
        return [[subject["label"], "ERROR" if subject["error"] else "-", *["-"] * 5]]
    memory = subject["memory"]
    return [
        [
            subject["label"],
            number(memory["jobs"]),
            f"{number(memory['rss_at_first_bytes'] / MIB, 1)} "
            f"(after {number(memory['first_checkpoint'])})",
            number(memory["rss_at_end_bytes"] / MIB, 1),
            number(memory["growth_pct"], 1, "%"),
            f"within {RSS_GROWTH_LIMIT_PCT:g}%",
            target["result"],
        ]
    ]


def _contenders(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for data in report["queues"].values():
        drain = data["phases"].get("drain")
        rss = drain["worker_rss_bytes"] if drain else None
        rows.append(
            [
                data["label"],
                data["version"],
                "-" if rss is None else number(rss / MIB, 1),
                data["settings"],
            ]
        )
    return rows


def _tables(report: dict[str, Any]) -> list[Table]:
    tables: list[Table] = [
        (
            "Throughput (jobs/s)",
            [
                "phase",
                "queue",
                "jobs",
                "jobs/s",
                "spread",
                "noise",
                "start-up s",
                "incl. start-up",
                "kwik ÷ this",
                "target",
                "result",
            ],
            _throughput(report),
        )
    ]
    memory = _memory(report)
    if memory:
        tables.append(
            (
                "Memory (worker RSS, MiB)",
                ["queue", "jobs", "at checkpoint", "at the end", "growth", "target", "result"],
                memory,
            )
        )
    tables.append(
        (
            "Queues",
            ["queue", "version", "worker RSS after drain, MiB", "configured as"],
            _contenders(report),
        )
    )
    return tables


def _describe_setup(meta: dict[str, Any]) -> list[str]:
    sizes = meta["sizes"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    return [
        f"{meta['date']}{' (quick run)' if meta['quick'] else ''} on {meta['machine']}",
        f"PostgreSQL {meta['postgres']['version']} at {meta['postgres']['address']} "
        f"({', '.join(f'{k} {v}' for k, v in meta['postgres']['settings'].items())}); "
        "a fresh database per measurement, copied from a template with the queue's schema",
        f"no-op jobs; one by one: {sizes['one_by_one']:,} sequential awaits; bulk: "
        f"{sizes['bulk']:,} jobs in one call; drain: {sizes['drain']:,} jobs enqueued "
        "beforehand, one worker process",
        "drain jobs/s: timed by the database's clock, from the first job seen done to the last "
        "(polled every 20 ms); start-up s: from starting the worker process to the first job "
        "done; incl. start-up: jobs/s from starting the worker to the last job",
        f"{meta['rounds']} round(s), each running every phase on every queue in turn (the order "
        "rotates), median round reported; noise: CPU cores the rest of the machine used during "
        f"a measurement (max over the rounds); one above {meta['noise_limit_cores']} is run "
        f"again (up to {meta['retries']} times)",
        f"memory: kwik's worker draining {sizes['memory']:,} jobs, RSS (psutil) after "
        f"{sizes['memory_checkpoint']:,} jobs done and at the end",
        versions,
    ]


def _summary_lines(report: dict[str, Any]) -> list[str]:
    close = [
        f"{t['peer'] or 'kwik'} {report['phases'][t['phase']]} {number(t['measured'], 2)} "
        f"(target {t['threshold']:g})"
        for t in report["targets"]
        if t["phase"] in report["phases"]
        and t["measured"]
        and abs(t["measured"] / t["threshold"] - 1) < CLOSE
    ]
    return summary_lines(report, close, unit="measurements")


render_text, render_markdown = report_views(
    "Kwik task queue benchmark", _describe_setup, _tables, _summary_lines
)
