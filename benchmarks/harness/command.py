"""What every benchmark's command shares: its options, the names it is given, the run's header,
and printing and saving the report.

The HTTP, database and task benchmarks differ in what they load and judge, not in how a run is
set up or written out; keeping that here keeps their options and files the same.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness.load import Wrk, wrk_version
from benchmarks.harness.measure import HTTP, SCHEDULES, Workload, measure, version
from benchmarks.harness.noise import Patience, add_noise_options
from benchmarks.harness.report import FrameworkRun
from benchmarks.harness.results import log, machine, save
from benchmarks.harness.server import UVICORN_OPTIONS, Framework

__all__ = [
    "LoadRun",
    "add_load_options",
    "add_results_option",
    "chosen",
    "noise_meta",
    "patience",
    "publish",
    "run_meta",
]

Report = dict[str, Any]


def add_load_options(parser: argparse.ArgumentParser, subject: str) -> None:
    """The options of a run that loads servers with wrk: schedule, rounds, wrk, noise, pinning.

    `subject` names what is loaded ("framework", "stack").
    """
    parser.add_argument(
        "--schedule",
        choices=sorted(SCHEDULES),
        default="interleaved",
        help=f"interleaved (default): all servers up, each round loads every {subject} in turn; "
        f"sequential: one {subject} completely, then the next",
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


def add_results_option(parser: argparse.ArgumentParser, files: str, default: Path) -> None:
    """`--results-dir`: where a run writes `files` (quick runs write only when it is given)."""
    parser.add_argument(
        "--results-dir",
        type=Path,
        help=f"where to write {files} (default {default}; quick runs write only when this is "
        "given)",
    )


def chosen(text: str, known: Mapping[str, object], kind: str) -> list[str] | None:
    """The comma-separated names in `text`, or None (after saying why) when any is unknown."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        log(f"Unknown {kind}(s) {unknown}; choose from {', '.join(known)}")
        return None
    return names


def patience(args: argparse.Namespace) -> Patience:
    """How long the run waits out a noisy machine: none for a quick run unless asked."""
    return Patience(
        limit_cores=args.noise_limit,
        wait_s=args.quiet_wait if args.quiet_wait is not None else (0 if args.quick else 30),
        retries=args.retries if args.retries is not None else (0 if args.quick else 2),
        budget_s=args.noise_budget,
    )


def run_meta(quick: bool, versioned: Iterable[str]) -> Report:
    """The head of every report's `meta`: when, where, and the versions of what was measured."""
    return {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "quick": quick,
        "machine": machine(),
        "python": platform.python_version(),
        "versions": {
            "python": platform.python_version(),
            **{name: version(name) for name in versioned},
        },
    }


def noise_meta(quiet: Patience) -> Report:
    """The run's noise settings, as its report's `meta` records them."""
    return {
        "noise_limit_cores": quiet.limit_cores,
        "quiet_wait_s": quiet.wait_s,
        "retries": quiet.retries,
        "noise_budget_s": quiet.budget_s,
    }


def publish(
    report: Report,
    render_text: Callable[[Report], str],
    render_markdown: Callable[[Report], str],
    folder: Path | None,
    *,
    prefix: str = "",
) -> int:
    """Print `report`, save it in `folder` (if any), and return the command's exit status: 1
    when something could not be measured."""
    print(render_text(report), flush=True)
    if folder is not None:
        for path in save(report, folder, render_markdown, prefix=prefix):
            log(f"wrote {path}")
    return 1 if report["summary"]["errors"] else 0


@dataclass(frozen=True)
class LoadRun:
    """A run that loads servers with wrk, as `add_load_options` set it up: its rounds, its
    patience with a noisy machine, and which CPUs the server and wrk are pinned to."""

    wrk: Wrk
    rounds: int
    warmup_s: int
    schedule: str
    quiet: Patience
    server_cpu: int | None
    wrk_cpu: int | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> LoadRun:
        """The run the options ask for; a quick run's defaults are 1s rounds, one round, 1s of
        warm-up and no waiting for a quiet machine. Pinning needs two CPUs."""
        cpus: list[int | None] = sorted(os.sched_getaffinity(0))
        server_cpu, wrk_cpu = (None, None) if args.no_pin or len(cpus) < 2 else cpus[:2]
        duration = args.duration or (1 if args.quick else 2)
        return cls(
            wrk=Wrk(args.threads, args.connections, duration, cpu=wrk_cpu),
            rounds=args.rounds or (1 if args.quick else 9),
            warmup_s=args.warmup or (1 if args.quick else 5),
            schedule=args.schedule,
            quiet=patience(args),
            server_cpu=server_cpu,
            wrk_cpu=wrk_cpu,
        )

    def meta(self) -> Report:
        """How the servers were loaded and the noise settings, as the report's `meta` has them."""
        return {
            "uvicorn_options": list(UVICORN_OPTIONS),
            "server_cpu": self.server_cpu,
            "wrk": wrk_version(),
            "wrk_options": self.wrk.options(),
            "wrk_cpu": self.wrk_cpu,
            "warmup_s": self.warmup_s,
            "rounds": self.rounds,
            "schedule": self.schedule,
            **noise_meta(self.quiet),
        }

    def measure(
        self, frameworks: Sequence[Framework], *, logs: str, workload: Workload = HTTP
    ) -> list[FrameworkRun]:
        """Load every one of `frameworks`, their servers logging to a temporary folder whose
        name starts with `logs`."""
        with tempfile.TemporaryDirectory(prefix=logs) as folder:
            return measure(
                list(frameworks),
                self.wrk,
                schedule=self.schedule,
                rounds=self.rounds,
                warmup_s=self.warmup_s,
                quiet=self.quiet,
                cpu=self.server_cpu,
                logs=Path(folder),
                workload=workload,
            )
