"""Measuring the queues: each phase in a fresh database, the queues interleaved round by round.

A round runs every phase on every queue, one measurement at a time, in an order that rotates
from round to round: on a shared or virtual machine the CPU's speed drifts within a minute, and
measuring one queue completely before the next would turn that drift into differences between
them (see benchmarks/README.md). Each measurement:

1. copies the queue's template database (its schema installed once) into a fresh one;
2. for a drain, fills it through the queue's bulk API and runs `VACUUM ANALYZE`, untimed;
3. waits for a quiet machine, then times the phase: enqueueing in a client process (timed by
   the client around its awaits), or a worker process draining the queue (timed by the
   database's clock, polled until no job is left);
4. checks what the database holds (every job enqueued; every job run successfully), and drops
   the database.

A queue whose step fails (a client error, a worker that dies or stalls, a wrong count) is
reported as failed and leaves the run.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg

from benchmarks.harness.measure import version
from benchmarks.harness.noise import CpuWindow, Patience
from benchmarks.harness.postgres import Connection, Server
from benchmarks.harness.results import log
from benchmarks.tasks.client import WARM_UP_JOBS
from benchmarks.tasks.queues import Contender
from benchmarks.tasks.results import PHASES, Measurement, MemoryRun, QueueRun
from benchmarks.tasks.worker import ROOT, Worker, WorkerError, child_environment

__all__ = ["Sizes", "measure"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class Sizes:
    """How many jobs each phase handles."""

    one_by_one: int
    bulk: int
    drain: int
    memory: int
    memory_checkpoint: int

    def of(self, phase: str) -> int:
        return int(getattr(self, phase))


class MeasurementError(RuntimeError):
    """The database doesn't hold what the phase should have left in it."""


class Bench:
    """Runs the phases against one PostgreSQL server."""

    def __init__(self, server: Server, quiet: Patience, sizes: Sizes, logs: Path) -> None:
        self.server = server
        self.quiet = quiet
        self.sizes = sizes
        self.logs = logs
        self.also = (server.cpu_counter(),)
        self.counter = 0
        # Names of this run's own: two runs at once (a test suite's smoke run, say) must not
        # drop each other's databases.
        self.prefix = f"kwik_bench_tasks_{secrets.token_hex(3)}"

    # -- databases -------------------------------------------------------------------------

    def template(self, contender: Contender) -> str:
        return f"{self.prefix}_{contender.name}_template"

    def install(self, contender: Contender) -> None:
        """Create the queue's template database and install its schema in it."""
        dsn = self.server.create(self.template(contender))
        self.client(contender, dsn, "install", 0)

    def fresh(self, contender: Contender) -> tuple[str, str]:
        self.counter += 1
        name = f"{self.prefix}_{contender.name}_{self.counter}"
        return name, self.server.create(name, template=self.template(contender))

    def cleanup(self, contender: Contender) -> None:
        self.server.drop(self.template(contender))

    # -- child processes -------------------------------------------------------------------

    def client(self, contender: Contender, dsn: str, action: str, n: int) -> float:
        """Run `client.py` for `action`; the seconds its timed calls took."""
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.tasks.client", contender.name, action, str(n)],
            cwd=ROOT,
            env=child_environment(dsn, contender.worker_env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if completed.returncode != 0:
            tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
            raise WorkerError(f"{action} client exited with {completed.returncode}:\n{tail}")
        return float(json.loads(completed.stdout.splitlines()[-1])["seconds"])

    def worker(self, contender: Contender, dsn: str) -> Worker:
        log_path = self.logs / f"{contender.name}-worker-{self.counter}.log"
        return Worker(contender.worker, child_environment(dsn, contender.worker_env), log_path)

    @staticmethod
    def expect(db: Connection, sql: str, expected: int, what: str) -> None:
        found = int(db.value(sql))
        if found != expected:
            raise MeasurementError(f"{what}: the database holds {found}, expected {expected}")

    # -- phases ----------------------------------------------------------------------------

    def enqueue(self, contender: Contender, dsn: str, action: str, n: int) -> Measurement:
        seconds = self.client(contender, dsn, action, n)
        with Connection(dsn) as db:
            self.expect(db, contender.jobs_sql, n + WARM_UP_JOBS, f"jobs after {action}")
        return Measurement(jobs=n, seconds=seconds)

    def fill(self, contender: Contender, dsn: str, n: int) -> int:
        """Enqueue `n` jobs in bulk, untimed, and freshen the planner's statistics."""
        self.client(contender, dsn, "bulk", n)
        total = n + WARM_UP_JOBS
        with Connection(dsn) as db:
            self.expect(db, contender.remaining_sql, total, "jobs queued before the drain")
            db.execute("VACUUM ANALYZE")
        return total

    def drain(self, contender: Contender, dsn: str, total: int) -> Measurement:
        worker = self.worker(contender, dsn)
        with Connection(dsn) as db:
            started = db.clock()
            worker.start()
            try:
                progress = worker.drain(db, contender.remaining_sql, started, total=total)
                rss = worker.rss()
            finally:
                worker.stop()
            self.expect(db, contender.succeeded_sql, total, "jobs run successfully")
        assert progress.first_s is not None
        assert progress.done_s is not None
        seconds = progress.done_s - progress.first_s
        jobs = progress.remaining_at_first
        if jobs == 0 or seconds <= 0:  # all done between two polls: only the total is known
            jobs, seconds = total, progress.done_s - started
        return Measurement(
            jobs=jobs,
            seconds=seconds,
            startup_s=progress.first_s - started,
            total_s=progress.done_s - started,
            worker_rss_bytes=rss,
        )

    def memory(self, contender: Contender) -> MemoryRun:
        """A worker draining `sizes.memory` jobs: RSS at the checkpoint and at the end."""
        name, dsn = self.fresh(contender)
        try:
            total = self.fill(contender, dsn, self.sizes.memory)
            worker = self.worker(contender, dsn)
            with Connection(dsn) as db:
                started = db.clock()
                worker.start()
                try:
                    first = worker.drain(
                        db,
                        contender.remaining_sql,
                        started,
                        total=total,
                        until_done=self.sizes.memory_checkpoint,
                    )
                    rss_first = worker.rss()
                    end = worker.drain(db, contender.remaining_sql, started, total=total)
                    rss_end = worker.rss()
                finally:
                    worker.stop()
                self.expect(db, contender.succeeded_sql, total, "jobs run successfully")
        finally:
            self.server.drop(name)
        assert first.first_s is not None
        assert end.done_s is not None
        return MemoryRun(
            jobs=total,
            first_checkpoint=self.sizes.memory_checkpoint,
            rss_at_first_bytes=rss_first,
            rss_at_end_bytes=rss_end,
            seconds=end.done_s - first.first_s,
        )

    def once(self, contender: Contender, phase: str) -> Measurement:
        """One measurement of `phase`, in a fresh database, run again while the machine is busy."""
        n = self.sizes.of(phase)
        attempt = 0
        while True:
            attempt += 1
            name, dsn = self.fresh(contender)
            try:
                total = self.fill(contender, dsn, n) if phase == "drain" else n
                self.quiet.wait(None, also=self.also)
                window = CpuWindow(None, also=self.also)
                if phase == "drain":
                    measurement = self.drain(contender, dsn, total)
                else:
                    action = "bulk" if phase == "bulk" else "one-by-one"
                    measurement = self.enqueue(contender, dsn, action, n)
                background = window.close()
            finally:
                self.server.drop(name)
            if not self.quiet.retry(background, attempt):
                break
            log(
                f"   {contender.label} {PHASES[phase]}: {background.other_cores:.2f} cores busy "
                f"elsewhere ({measurement.jobs_per_s:,.0f} jobs/s discarded); again"
            )
        return replace(measurement, background_cores=background.other_cores, attempts=attempt)


class Entry:
    """One queue in the run: what measuring it has given so far."""

    def __init__(self, contender: Contender) -> None:
        self.contender = contender
        self.run = QueueRun(
            contender.name, contender.label, version(contender.package), contender.settings
        )

    def attempt(self, step: Callable[[], None]) -> None:
        """Run `step()`; an error marks the queue failed."""
        if self.run.error is not None:
            return
        try:
            step()
        except (
            WorkerError,
            MeasurementError,
            OSError,
            asyncpg.PostgresError,
            subprocess.TimeoutExpired,
        ) as exc:
            self.run.error = str(exc)
            self.run.rounds, self.run.memory = {}, None
            log(f"   {self.contender.label}: ERROR: {exc}")

    def record(self, bench: Bench, phase: str, label: str) -> None:
        measurement = bench.once(self.contender, phase)
        self.run.rounds.setdefault(phase, []).append(measurement)
        extra = ""
        if measurement.startup_s is not None:
            extra = f"  start-up {measurement.startup_s:.2f} s"
        log(
            f"   {label} {PHASES[phase]:<19} {self.contender.label:<14}"
            f"{measurement.jobs_per_s:>9,.0f} jobs/s{extra}  "
            f"elsewhere {measurement.background_cores:.2f} cores"
        )


def measure(
    contenders: list[Contender],
    *,
    server: Server,
    sizes: Sizes,
    rounds: int,
    quiet: Patience,
    logs: Path,
    memory_of: str | None,
) -> list[QueueRun]:
    """Install each queue, run `rounds` interleaved rounds, then the memory run of `memory_of`."""
    bench = Bench(server, quiet, sizes, logs)
    entries = [Entry(c) for c in contenders]
    try:
        for entry in entries:
            if entry.run.version == "not installed":
                entry.run.error = (
                    f"{entry.contender.package} is not installed: `make bench-tools` installs "
                    "the benchmark's requirements"
                )
                continue
            log(f"== {entry.contender.label} {entry.run.version}: installing its schema")
            entry.attempt(lambda e=entry: bench.install(e.contender))
        for number in range(1, rounds + 1):
            shift = (number - 1) % len(entries)
            order = entries[shift:] + entries[:shift]  # nobody always goes first
            for phase in PHASES:
                for entry in order:
                    if phase not in entry.contender.phases:
                        continue
                    label = f"round {number}/{rounds}"
                    entry.attempt(lambda e=entry, p=phase, la=label: e.record(bench, p, la))
        for entry in entries:
            if entry.contender.name == memory_of:
                entry.attempt(lambda e=entry: _memory(bench, e))
    finally:
        for entry in entries:
            bench.cleanup(entry.contender)
    return [entry.run for entry in entries]


def _memory(bench: Bench, entry: Entry) -> None:
    log(f"== {entry.contender.label}: memory while draining {bench.sizes.memory:,} jobs")
    entry.run.memory = run = bench.memory(entry.contender)
    log(
        f"   RSS {run.rss_at_first_bytes / MIB:.1f} MiB after {run.first_checkpoint:,} jobs, "
        f"{run.rss_at_end_bytes / MIB:.1f} MiB after {run.jobs:,} ({run.growth_pct:+.1f}%)"
    )
