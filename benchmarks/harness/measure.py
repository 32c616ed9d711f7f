"""Measuring the frameworks: each served by one uvicorn worker, loaded one at a time.

Two schedules. `interleaved` (the default) starts every framework's server, warms each up, then
runs the rounds endpoint by endpoint, framework after framework, in a rotating order, so every
framework is measured under the same conditions: on a shared or virtual machine the speed of the
CPU drifts by tens of percent within a minute, and measuring the frameworks one after the other
would turn that drift into differences between them. Idle servers wait on their sockets and use
no CPU. `sequential` measures one framework completely, then the next, as a first reading of
issue 4 describes.

Either way, one server is loaded at a time; a framework whose server fails to start, answers
wrongly (before or after the load) or errors under load is reported as failed and leaves the run.
What is served and loaded is a `Workload`: by default the HTTP benchmark's three endpoints and
checks; the database benchmark (benchmarks/db) gives its own, and its database server's CPU.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.harness.endpoints import CHECKS, ENDPOINTS, Check, Endpoint, verify
from benchmarks.harness.load import LoadError, LoadResult, Wrk, script_for, script_for_all
from benchmarks.harness.noise import CpuCounter, CpuWindow, Patience
from benchmarks.harness.report import FrameworkRun
from benchmarks.harness.server import Framework, Server, ServerError

__all__ = ["HTTP", "SCHEDULES", "Contender", "Workload", "measure", "version"]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _checked(result: LoadResult, what: str) -> LoadResult:
    """`result`, unless the server answered errors or dropped connections under load."""
    errors = {k: v for k, v in result.errors.items() if v}
    if errors or result.requests == 0:
        raise LoadError(f"{what}: {errors or 'no requests completed'} under load")
    return result


@dataclass(frozen=True)
class Workload:
    """What every framework of a run serves and is loaded with.

    `checks` run before and after the load; `environment` is added to every server's;
    `also` counts the CPU of processes that serve the requests beside the server (the
    database server), so it is reported per request instead of being taken for noise.
    """

    endpoints: tuple[Endpoint, ...] = ENDPOINTS
    checks: tuple[Check, ...] = CHECKS
    environment: Mapping[str, str] = field(default_factory=dict)
    also: tuple[CpuCounter, ...] = ()


HTTP = Workload()
"""The HTTP benchmark's: /ping, /items/{id} and POST /items, no database."""


class Contender:
    """One framework in the run: its server, and what measuring it has given so far."""

    def __init__(
        self, framework: Framework, *, cpu: int | None, logs: Path, workload: Workload = HTTP
    ) -> None:
        self.framework = framework
        self.workload = workload
        self.run = FrameworkRun(framework.name, framework.label, version(framework.package))
        self.server = Server(
            framework,
            log_path=logs / f"{framework.name}.log",
            cpu=cpu,
            environment=workload.environment,
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    @property
    def failed(self) -> bool:
        return self.run.error is not None

    def attempt(self, step: Callable[..., None], *args: Any) -> None:
        """Run `step(*args)`; an error marks the framework failed and stops its server."""
        if self.failed:
            return
        try:
            step(*args)
        except (ServerError, LoadError, OSError) as exc:
            self.run.error = str(exc)
            self.run.rounds = {}
            self.server.stop()
            _log(f"   {self.framework.label}: ERROR: {exc}")

    def _verify(self, when: str) -> None:
        failures = verify(
            self.server.host,
            self.server.port,
            self.workload.checks,
            prefix=self.framework.prefix,
        )
        if failures:
            raise ServerError(f"answers wrongly {when}:\n  " + "\n  ".join(failures))

    def start(self, wrk: Wrk, warmup_s: int) -> None:
        """Start the server, check its answers, warm it up, and read its RSS."""
        _log(f"== {self.framework.label} {self.run.version}: starting {self.framework.app}")
        self.server.start()
        self._verify("before the load")
        endpoints = self.workload.endpoints
        script = script_for_all(tuple(e.under(self.framework.prefix) for e in endpoints))
        _checked(wrk.run(self.base_url, "/", script, duration_s=warmup_s), "warm-up")
        self.run.rss_after_warmup = self.server.rss()

    def load(self, wrk: Wrk, endpoint: Endpoint, quiet: Patience, label: str) -> None:
        """One round on `endpoint`, run again while the rest of the machine was busy."""
        attempt = 0
        while True:
            attempt += 1
            also = self.workload.also
            quiet.wait(self.server.pid, also=also)
            window = CpuWindow(self.server.pid, also=also)
            prefixed = endpoint.under(self.framework.prefix)
            result = wrk.run(self.base_url, prefixed.path, script_for(prefixed))
            result = _checked(result, endpoint.label)
            background = window.close()
            result = replace(
                result,
                server_cpu_us_per_request=round(background.server_cpu_s / result.requests * 1e6, 1),
                database_cpu_us_per_request=round(background.also_cpu_s / result.requests * 1e6, 1)
                if also
                else None,
                background_cores=background.other_cores,
                steal_cores=background.steal_cores,
                attempts=attempt,
            )
            if not quiet.retry(background, attempt):
                break
            _log(
                f"   {self.framework.label} {endpoint.label}: {background.other_cores:.2f} "
                f"cores busy elsewhere ({result.requests_per_s:,.0f} req/s discarded); again"
            )
        self.run.rounds.setdefault(endpoint.key, []).append(result)
        _log(
            f"   {label} {endpoint.label:<16} {self.framework.label:<19}"
            f"{result.requests_per_s:>8,.0f} req/s  p99 {result.latency_p99_ms:6.2f} ms  "
            f"CPU {result.server_cpu_us_per_request:4.0f} µs/req  "
            f"elsewhere {result.background_cores:.2f} cores"
        )

    def finish(self) -> None:
        """Read the RSS after the load, check the answers again, and stop the server."""
        self.run.rss_after_load = self.server.rss()
        self._verify("after the load")
        if not self.server.alive():
            raise ServerError(f"died under load:\n{self.server.log_tail()}")
        self.server.stop()


def _sequential(
    contenders: list[Contender], wrk: Wrk, rounds: int, warmup_s: int, quiet: Patience
) -> None:
    for contender in contenders:
        contender.attempt(contender.start, wrk, warmup_s)
        for number in range(1, rounds + 1):
            for endpoint in contender.workload.endpoints:
                label = f"round {number}/{rounds}"
                contender.attempt(contender.load, wrk, endpoint, quiet, label)
        contender.attempt(contender.finish)


def _interleaved(
    contenders: list[Contender], wrk: Wrk, rounds: int, warmup_s: int, quiet: Patience
) -> None:
    for contender in contenders:
        contender.attempt(contender.start, wrk, warmup_s)
    for number in range(1, rounds + 1):
        shift = (number - 1) % len(contenders)
        order = contenders[shift:] + contenders[:shift]  # nobody always goes first
        for endpoint in contenders[0].workload.endpoints:
            for contender in order:
                label = f"round {number}/{rounds}"
                contender.attempt(contender.load, wrk, endpoint, quiet, label)
    for contender in contenders:
        contender.attempt(contender.finish)


SCHEDULES = {"interleaved": _interleaved, "sequential": _sequential}


def measure(
    frameworks: list[Framework],
    wrk: Wrk,
    *,
    schedule: str,
    rounds: int,
    warmup_s: int,
    quiet: Patience,
    cpu: int | None,
    logs: Path,
    workload: Workload = HTTP,
) -> list[FrameworkRun]:
    contenders = [Contender(f, cpu=cpu, logs=logs, workload=workload) for f in frameworks]
    try:
        SCHEDULES[schedule](contenders, wrk, rounds, warmup_s, quiet)
    finally:
        for contender in contenders:
            contender.server.stop()
    return [contender.run for contender in contenders]
