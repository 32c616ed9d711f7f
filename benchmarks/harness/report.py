"""The report: kwik's ratio to each peer, the targets, and the same tables as text and Markdown.

The report is a plain dict (what `latest.json` holds); the text and Markdown tables are views of it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.harness.endpoints import ENDPOINTS, Endpoint
from benchmarks.harness.load import LoadResult
from benchmarks.harness.tables import (
    CLOSE,
    Table,
    number,
    report_views,
    status,
    summarize,
    summary_lines,
)

__all__ = [
    "OVERHEAD_TARGETS",
    "RATIO_TARGETS",
    "RSS_GROWTH_LIMIT_PCT",
    "FrameworkRun",
    "build_report",
    "load_setup",
    "peer_targets",
    "render_markdown",
    "render_text",
    "rss_cells",
    "target_cells",
]

SUBJECT = "kwik"

RATIO_TARGETS: dict[str, float] = {"fastapi": 2.0, "litestar": 1.2, "starlette": 0.85}
"""kwik's requests/s must be at least this multiple of each peer's, on every endpoint."""

_VERSIONED = {"ping": 0.95, "read": 0.95, "create": 0.95}

OVERHEAD_TARGETS: dict[str, dict[str, float]] = {
    "kwik-secure": {"ping": 0.85},
    "kwik-secure-full": {},
    "kwik-versioned": _VERSIONED,
    "kwik-versioned-url": _VERSIONED,
}
"""A variant of kwik's app (more of kwik switched on) against plain kwik: its requests/s must be
at least this fraction of kwik's on the endpoints named (issue 7: security's default stack at most
15% slower on GET /ping; versioning: a route serving "v1+" at most 5% slower than the same route
unversioned, on every endpoint). Its other endpoints are shown, not judged."""

RSS_GROWTH_LIMIT_PCT = 10.0
"""kwik's RSS must grow less than this between warm-up and the end of the load."""

RSS_PEER = "fastapi"
"""kwik's RSS after the load must be no larger than this peer's."""

MIB = 1024 * 1024

Ratios = dict[str, dict[str, float | None]]
"""kwik's ratios by peer, then endpoint (None where either side was not measured)."""


@dataclass
class FrameworkRun:
    """One framework measured: per-endpoint rounds and RSS, or the error that stopped it."""

    name: str
    label: str
    version: str
    rounds: dict[str, list[LoadResult]] = field(default_factory=dict)
    rss_after_warmup: int | None = None
    rss_after_load: int | None = None
    error: str | None = None

    def median(self, endpoint: str) -> LoadResult:
        """The round with the median requests/s (the lower middle one for an even count)."""
        ordered = sorted(self.rounds[endpoint], key=lambda r: r.requests_per_s)
        return ordered[(len(ordered) - 1) // 2]

    def to_json(self) -> dict[str, Any]:
        measured = self.error is None
        growth = None
        if measured and self.rss_after_warmup and self.rss_after_load:
            growth = round((self.rss_after_load / self.rss_after_warmup - 1) * 100, 2)
        return {
            "label": self.label,
            "version": self.version,
            "error": self.error,
            "endpoints": {
                key: {
                    "requests_per_s": self.median(key).requests_per_s,
                    "latency_p99_ms": self.median(key).latency_p99_ms,
                    "latency_p50_ms": self.median(key).latency_p50_ms,
                    "server_cpu_us_per_request": _median_cpu(self.rounds[key]),
                    "spread_pct": _spread(self.rounds[key]),
                    "noise_cores": max(r.background_cores or 0.0 for r in self.rounds[key]),
                    "rounds": [r.to_json() for r in self.rounds[key]],
                }
                for key in self.rounds
            }
            if measured
            else {},
            "rss": {
                "after_warmup_bytes": self.rss_after_warmup,
                "after_load_bytes": self.rss_after_load,
                "growth_pct": growth,
            }
            if measured
            else {},
        }


def _median_cpu(rounds: Sequence[LoadResult]) -> float | None:
    values = [r.server_cpu_us_per_request for r in rounds if r.server_cpu_us_per_request]
    return round(statistics.median(values), 1) if values else None


def _spread(rounds: Sequence[LoadResult]) -> float:
    """(max - min) / median of the rounds' requests/s, in %: how steady the measurement was."""
    values = [r.requests_per_s for r in rounds]
    return round((max(values) - min(values)) / statistics.median(values) * 100, 1)


def peer_targets(
    runs: Mapping[str, Mapping[str, Any]],
    thresholds: Mapping[str, float],
    endpoints: Sequence[Endpoint],
    cpu_key: str,
) -> tuple[Ratios, Ratios, list[dict[str, Any]]]:
    """kwik's ratio to each peer in `thresholds`, per endpoint: by requests/s (judged against
    the peer's threshold) and by the CPU per request under `cpu_key` (shown, not judged).

    Returns (ratios by requests/s, ratios by CPU, the targets), each ratio by peer then endpoint.
    """
    subject = runs.get(SUBJECT)
    subject_ok = subject is not None and subject["error"] is None
    ratios: dict[str, dict[str, float | None]] = {}
    cpu_ratios: dict[str, dict[str, float | None]] = {}
    targets: list[dict[str, Any]] = []
    for peer, threshold in thresholds.items():
        measured_peer = peer in runs and runs[peer]["error"] is None
        ratios[peer], cpu_ratios[peer] = {}, {}
        for endpoint in endpoints:
            ratio = cpu_ratio = None
            if subject_ok and measured_peer:
                mine = subject["endpoints"][endpoint.key]
                theirs = runs[peer]["endpoints"][endpoint.key]
                ratio = round(mine["requests_per_s"] / theirs["requests_per_s"], 3)
                if mine[cpu_key] and theirs[cpu_key]:
                    cpu_ratio = round(theirs[cpu_key] / mine[cpu_key], 3)
            ratios[peer][endpoint.key] = ratio
            cpu_ratios[peer][endpoint.key] = cpu_ratio
            # kwik not in this run, or the peer not measured: nothing to judge. kwik broken: FAIL.
            judged = subject is not None and measured_peer
            ok = ratio is not None and ratio >= threshold
            targets.append(
                {
                    "target": f"kwik >= {threshold}x {runs.get(peer, {}).get('label', peer)}"
                    f" requests/s on {endpoint.label}",
                    "peer": peer,
                    "endpoint": endpoint.key,
                    "threshold": threshold,
                    "measured": ratio,
                    "by_cpu": cpu_ratio,
                    "result": status(ok if judged else None),
                }
            )
    return ratios, cpu_ratios, targets


def _targets(frameworks: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    subject = frameworks.get(SUBJECT)
    subject_ok = subject is not None and subject["error"] is None

    def verdict(ok: bool, peer_measured: bool) -> str:
        # kwik not in this run, or the peer not measured: nothing to judge. kwik broken: FAIL.
        return status(ok if subject is not None and peer_measured else None)

    ratios, cpu_ratios, targets = peer_targets(
        frameworks, RATIO_TARGETS, ENDPOINTS, "server_cpu_us_per_request"
    )
    growth = subject["rss"]["growth_pct"] if subject_ok else None
    targets.append(
        {
            "target": f"kwik's RSS grows < {RSS_GROWTH_LIMIT_PCT:g}% from warm-up to after load",
            "peer": None,
            "endpoint": None,
            "threshold": RSS_GROWTH_LIMIT_PCT,
            "measured": growth,
            "result": verdict(growth is not None and growth < RSS_GROWTH_LIMIT_PCT, True),
        }
    )
    peer = frameworks.get(RSS_PEER)
    measured_peer = peer is not None and peer["error"] is None
    rss_ratio = None
    if subject_ok and measured_peer:
        rss_ratio = round(subject["rss"]["after_load_bytes"] / peer["rss"]["after_load_bytes"], 3)
    targets.append(
        {
            "target": f"kwik's RSS after load <= {peer['label'] if peer else RSS_PEER}'s",
            "peer": RSS_PEER,
            "endpoint": None,
            "threshold": 1.0,
            "measured": rss_ratio,
            "result": verdict(rss_ratio is not None and rss_ratio <= 1.0, measured_peer),
        }
    )
    targets += _overhead_targets(frameworks)
    ratio_tables = {
        "requests_per_s": ratios,
        "server_cpu_per_request": cpu_ratios,
        "rss_after_load": {RSS_PEER: rss_ratio},
    }
    return ratio_tables, targets


def _overhead_targets(frameworks: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each measured variant's requests/s as a fraction of kwik's, per endpoint."""
    subject = frameworks.get(SUBJECT)
    found = []
    for variant, thresholds in OVERHEAD_TARGETS.items():
        data = frameworks.get(variant)
        if data is None:
            continue
        for endpoint in ENDPOINTS:
            ratio = None
            if data["error"] is None and subject is not None and subject["error"] is None:
                mine = data["endpoints"][endpoint.key]["requests_per_s"]
                ratio = round(mine / subject["endpoints"][endpoint.key]["requests_per_s"], 3)
            threshold = thresholds.get(endpoint.key)
            judged = None if subject is None else bool(ratio and threshold and ratio >= threshold)
            found.append(
                {
                    "target": f"{data['label']} >= {threshold}x kwik requests/s on {endpoint.label}"
                    if threshold
                    else f"{data['label']} ÷ kwik on {endpoint.label} (not judged)",
                    "variant": variant,
                    "peer": SUBJECT,
                    "endpoint": endpoint.key,
                    "threshold": threshold,
                    "measured": ratio,
                    "result": status(judged) if threshold else "-",
                }
            )
    return found


def build_report(meta: dict[str, Any], runs: Sequence[FrameworkRun]) -> dict[str, Any]:
    frameworks = {run.name: run.to_json() for run in runs}
    ratios, targets = _targets(frameworks)
    rounds = [r for f in frameworks.values() for e in f["endpoints"].values() for r in e["rounds"]]
    summary = summarize(targets, rounds, meta["noise_limit_cores"], frameworks)
    return {
        "meta": meta,
        "endpoints": {e.key: e.label for e in ENDPOINTS},
        "frameworks": frameworks,
        "kwik_ratio": ratios,
        "targets": targets,
        "summary": summary,
    }


# -- views -------------------------------------------------------------------------------------


def target_cells(target: dict[str, Any] | None) -> list[str]:
    """A throughput row's last four cells: kwik's ratio to the row's peer, by requests/s and by
    CPU, its target and its result; dashes for a row nothing is judged on."""
    if target is None:
        return ["-"] * 4
    return [
        number(target["measured"], 2, "x"),
        number(target["by_cpu"], 2, "x"),
        f">= {target['threshold']}x",
        target["result"],
    ]


def rss_cells(rss: dict[str, Any]) -> list[str]:
    """A server's RSS after warm-up and after the load, in MiB, and its growth."""
    return [
        number(rss["after_warmup_bytes"] / MIB, 1),
        number(rss["after_load_bytes"] / MIB, 1),
        number(rss["growth_pct"], 1, "%"),
    ]


def _tables(report: dict[str, Any]) -> list[Table]:
    frameworks = report["frameworks"]
    by_key = {(t["peer"], t["endpoint"]): t for t in report["targets"] if "variant" not in t}
    throughput: list[list[str]] = []
    for key, label in report["endpoints"].items():
        for name, data in frameworks.items():
            if data["error"]:
                throughput.append([label, data["label"], "ERROR", *["-"] * 8])
                continue
            figures = data["endpoints"][key]
            target = by_key.get((name, key)) if name != SUBJECT else None
            throughput.append(
                [
                    label,
                    data["label"],
                    number(figures["requests_per_s"]),
                    number(figures["latency_p99_ms"], 2),
                    number(figures["server_cpu_us_per_request"], 0),
                    number(figures["spread_pct"], 1, "%"),
                    number(figures["noise_cores"], 2),
                    *target_cells(target),
                ]
            )
    memory: list[list[str]] = []
    growth_target = by_key[(None, None)]
    peer_target = by_key[(RSS_PEER, None)]
    for name, data in frameworks.items():
        if data["error"]:
            memory.append([data["label"], "ERROR", "-", "-", "-", "-", "-"])
            continue
        row = [data["label"], *rss_cells(data["rss"])]
        if name == SUBJECT:
            row += ["-", f"growth < {RSS_GROWTH_LIMIT_PCT:g}%", growth_target["result"]]
        elif name == RSS_PEER:
            row += [number(peer_target["measured"], 2, "x"), "<= 1.00x", peer_target["result"]]
        else:
            row += ["-", "-", "-"]
        memory.append(row)
    overhead = [
        [
            t["variant"],
            report["endpoints"][t["endpoint"]],
            number(t["measured"], 2, "x"),
            "-" if not t["threshold"] else f">= {t['threshold']}x",
            t["result"],
        ]
        for t in report["targets"]
        if "variant" in t
    ]
    tables: list[Table] = [
        (
            "Throughput",
            [
                "endpoint",
                "framework",
                "requests/s",
                "p99 ms",
                "CPU µs/req",
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
            "Memory (RSS, MiB)",
            [
                "framework",
                "after warm-up",
                "after load",
                "growth",
                "kwik ÷ this",
                "target",
                "result",
            ],
            memory,
        ),
    ]
    if overhead:
        tables.append(
            (
                "Overhead of kwik's optional stacks (requests/s ÷ plain kwik's)",
                ["variant", "endpoint", "÷ kwik", "target", "result"],
                overhead,
            )
        )
    return tables


def load_setup(meta: dict[str, Any], subject: str) -> list[str]:
    """The setup lines on the servers and wrk: one uvicorn worker per `subject`, pinned where."""
    server_cpu, wrk_cpu = meta["server_cpu"], meta["wrk_cpu"]
    return [
        f"server: uvicorn {' '.join(meta['uvicorn_options'])}, one worker per {subject}"
        + (f" on CPU {server_cpu}" if server_cpu is not None else "")
        + f"; {meta.get('schedule', 'sequential')} schedule, one server loaded at a time",
        f"load: {meta['wrk']} {' '.join(meta['wrk_options'])}"
        + (f" on CPU {wrk_cpu}" if wrk_cpu is not None else "")
        + f"; {meta['warmup_s']}s mixed warm-up, then {meta['rounds']} round(s) per endpoint,"
        " median round reported",
    ]


def _describe_setup(meta: dict[str, Any]) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    return [
        f"{meta['date']}{' (quick run)' if meta['quick'] else ''} on {meta['machine']}",
        f"noise: CPU cores the rest of the machine used during a round (max over the rounds); "
        f"a round above {meta['noise_limit_cores']} is run again (up to {meta['retries']} times)",
        "CPU µs/req: the server's CPU time per request (median round); `by CPU` is kwik's ratio "
        "by it, which noise on the machine disturbs less than requests/s",
        *load_setup(meta, "framework"),
        versions,
    ]


def _summary_lines(report: dict[str, Any]) -> list[str]:
    close = [
        f"{t.get('variant', t['peer'])} {report['endpoints'][t['endpoint']]} "
        f"{t['measured']:.2f}x (target {t['threshold']}x)"
        for t in report["targets"]
        if t["endpoint"]
        and t["measured"]
        and t["threshold"]
        and abs(t["measured"] / t["threshold"] - 1) < CLOSE
    ]
    return summary_lines(report, close)


render_text, render_markdown = report_views(
    "Kwik benchmark", _describe_setup, _tables, _summary_lines
)
