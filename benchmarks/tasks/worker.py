"""One queue's worker in a child process: started, watched through the database, stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchmarks.harness.postgres import Connection

__all__ = ["Progress", "Worker", "WorkerError", "child_environment"]

ROOT = Path(__file__).resolve().parents[2]
POLL_S = 0.02
"""How often the database is asked how many jobs are left while a worker drains."""
STALL_S = 60.0
"""A worker that finishes no job for this long has stalled: the measurement fails."""


class WorkerError(RuntimeError):
    """A child process failed: a worker died or stalled, a client exited with an error."""


def child_environment(dsn: str, extra: dict[str, str]) -> dict[str, str]:
    """The environment of clients and workers: ours without KWIK_*, plus the database."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    environment.update(PYTHONUNBUFFERED="1", BENCH_TASKS_DSN=dsn, **extra)
    return environment


class Progress:
    """What the database said while a worker drained: when the first and the last job finished.

    `first_s` is the first poll that saw fewer jobs left than at the start, `remaining_at_first`
    how many were left then, and `done_s` the first poll that saw none left; all on the
    database's clock.
    """

    def __init__(self, started_s: float) -> None:
        self.started_s = started_s
        self.first_s: float | None = None
        self.remaining_at_first = 0
        self.done_s: float | None = None


class Worker:
    """`python <command>` from the repository root, its output in `log_path`.

    Example:
        worker = Worker([ "-m", "pgqueuer", "run", ...], environment, log_path)
        worker.start()
        worker.rss()
        worker.stop()
    """

    def __init__(self, command: tuple[str, ...], environment: dict[str, str], log: Path) -> None:
        self.command = [sys.executable, *command]
        self.environment = environment
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None, "the worker is not started"
        return self.process.pid

    def rss(self) -> int:
        """Resident memory of the worker and any processes it started, in bytes."""
        root = psutil.Process(self.pid)
        total = 0
        for process in (root, *root.children(recursive=True)):
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        return total

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise WorkerError(f"the worker exited with status {code}:\n{self.log_tail()}")

    def drain(
        self,
        db: Connection,
        remaining_sql: str,
        started_s: float,
        *,
        until_done: int | None = None,
        total: int,
    ) -> Progress:
        """Poll `remaining_sql` until no job is left, or until `until_done` jobs are done."""
        progress = Progress(started_s)
        last_change, last_remaining = time.monotonic(), total
        while True:
            remaining = int(db.value(remaining_sql))
            now = db.clock()
            if remaining < total and progress.first_s is None:
                progress.first_s, progress.remaining_at_first = now, remaining
            if remaining == 0 or (until_done is not None and total - remaining >= until_done):
                progress.done_s = now
                return progress
            if remaining != last_remaining:
                last_change, last_remaining = time.monotonic(), remaining
            elif time.monotonic() - last_change > STALL_S:
                raise WorkerError(
                    f"no job finished for {STALL_S:.0f}s ({remaining} of {total} left):\n"
                    + self.log_tail()
                )
            self.check_alive()
            time.sleep(POLL_S)

    def stop(self) -> None:
        """SIGTERM, as a deployment stops a worker; SIGKILL if it hasn't exited in 30 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no worker log)"
        return "\n".join(text.splitlines()[-lines:]) or "(the worker printed nothing)"
