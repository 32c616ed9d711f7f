"""How busy the rest of the machine was: CPU used by processes outside the benchmark.

On a shared 2-core machine another process (a test suite, a profiler) takes CPU from the server
or from wrk and lowers whatever is being measured at that moment. Each round records the cores the
rest of the machine used while it ran; a noisy round is waited out and run again, and the report
says how noisy the kept rounds were.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import psutil

__all__ = [
    "Background",
    "CpuCounter",
    "CpuWindow",
    "Patience",
    "add_noise_options",
    "wait_until_quiet",
]

CpuCounter = Callable[[], float]
"""CPU seconds some process(es) taking part in the measurement have used so far."""


def _busy() -> float:
    """CPU seconds the whole machine has spent running tasks (interrupt time left out)."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system


def _steal() -> float:
    return float(getattr(psutil.cpu_times(), "steal", 0.0))


def _process_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (wrk, once it has been waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Background:
    """What the rest of the machine used during a window, in cores (1.0 = one CPU all along)."""

    other_cores: float
    steal_cores: float
    server_cores: float
    server_cpu_s: float
    wall_s: float
    also_cpu_s: float = 0.0  # the CPU of the `also` counters (a database server)


class CpuWindow:
    """Measure the machine's CPU use outside the server, wrk and this harness over a window.

    `server_pid` may be None when the measured processes are children of this one, waited for
    before `close()` (their CPU is then counted with wrk's). `also` counts the CPU of processes
    that take part in the measurement without being children, such as the database server a
    task queue runs on, so it isn't mistaken for noise.

    Example:
        window = CpuWindow(server_pid)
        ...  # run wrk to completion
        background = window.close()
    """

    def __init__(self, server_pid: int | None, *, also: Sequence[CpuCounter] = ()) -> None:
        self.server_pid = server_pid
        self.also = tuple(also)
        self.start = self._snapshot()

    def _snapshot(self) -> tuple[float, ...]:
        return (
            time.monotonic(),
            _busy(),
            _steal(),
            _process_cpu(self.server_pid),
            _process_cpu(os.getpid()),
            _children_cpu(),
            sum(counter() for counter in self.also),
        )

    def close(self) -> Background:
        end = self._snapshot()
        wall, busy, steal, server, harness, children, also = (
            b - a for a, b in zip(self.start, end, strict=True)
        )
        other = max(busy - server - harness - children - also, 0.0)
        wall = max(wall, 1e-6)
        return Background(
            other_cores=round(other / wall, 3),
            steal_cores=round(steal / wall, 3),
            server_cores=round(server / wall, 3),
            server_cpu_s=server,
            wall_s=round(wall, 3),
            also_cpu_s=also,
        )


def wait_until_quiet(
    server_pid: int | None,
    limit_cores: float,
    max_wait_s: float,
    *,
    also: Sequence[CpuCounter] = (),
) -> float:
    """Sample the machine each second until the rest of it uses < `limit_cores` (the server idle).

    Returns the seconds waited; gives up after `max_wait_s` (0 = don't wait at all).
    """
    started = time.monotonic()
    while time.monotonic() - started < max_wait_s:
        window = CpuWindow(server_pid, also=also)
        time.sleep(1.0)
        if window.close().other_cores < limit_cores:
            break
    return round(time.monotonic() - started, 1)


@dataclass
class Patience:
    """How much noise a round tolerates, and how long the whole run may spend avoiding it.

    Before a round, wait up to `wait_s` for the rest of the machine to use < `limit_cores`; run a
    round that was noisy anyway again, up to `retries` times. Waiting and discarded runs spend
    `budget_s`, shared by the whole run; once it is spent, rounds run as they come and the report
    shows their noise.
    """

    limit_cores: float
    wait_s: float
    retries: int
    budget_s: float
    spent_s: float = field(default=0.0)

    @property
    def left_s(self) -> float:
        return max(self.budget_s - self.spent_s, 0.0)

    def wait(self, server_pid: int | None, *, also: Sequence[CpuCounter] = ()) -> None:
        if self.wait_s and self.left_s:
            self.spent_s += wait_until_quiet(
                server_pid, self.limit_cores, min(self.wait_s, self.left_s), also=also
            )

    def retry(self, background: Background, attempt: int) -> bool:
        """Whether to run a round again that had `background` on its `attempt`th run."""
        if background.other_cores <= self.limit_cores or attempt > self.retries or not self.left_s:
            return False
        self.spent_s += background.wall_s
        return True


def add_noise_options(parser: argparse.ArgumentParser, unit: str) -> None:
    """The command-line options that set a run's `Patience`; `unit` names what is measured
    and re-run (a "round" of the HTTP benchmark, a "measurement" of the task queue's)."""
    parser.add_argument(
        "--noise-limit",
        type=float,
        default=0.25,
        help=f"CPU cores the rest of the machine may use during a {unit} before it is "
        "waited out and run again (0.25)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        help=f"seconds to wait for a quiet machine before each {unit} (default 30; quick 0)",
    )
    parser.add_argument(
        "--retries", type=int, help=f"runs of a noisy {unit} again (default 2; quick 0)"
    )
    parser.add_argument(
        "--noise-budget",
        type=float,
        default=900,
        help=f"seconds the whole run may spend waiting and re-running noisy {unit}s (900)",
    )
