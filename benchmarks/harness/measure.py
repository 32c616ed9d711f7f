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
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.harness.endpoints import ENDPOINTS, Endpoint, verify
from benchmarks.harness.load import LoadError, LoadResult, Wrk, script_for, script_for_all
from benchmarks.harness.noise import CpuWindow, Patience
from benchmarks.harness.report import FrameworkRun
from benchmarks.harness.server import Framework, Server, ServerError

__all__ = ["SCHEDULES", "Contender", "measure", "version"]


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


class Contender:
    """One framework in the run: its server, and what measuring it has given so far."""

    def __init__(self, framework: Framework, *, cpu: int | None, logs: Path) -> None:
        self.framework = framework
        self.run = FrameworkRun(framework.name, framework.label, version(framework.package))
        self.server = Server(framework, log_path=logs / f"{framework.name}.log", cpu=cpu)

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
        failures = verify(self.server.host, self.server.port, prefix=self.framework.prefix)
        if failures:
            raise ServerError(f"answers wrongly {when}:\n  " + "\n  ".join(failures))

    def start(self, wrk: Wrk, warmup_s: int) -> None:
        """Start the server, check its answers, warm it up, and read its RSS."""
        _log(f"== {self.framework.label} {self.run.version}: starting {self.framework.app}")
        self.server.start()
        self._verify("before the load")
        script = script_for_all(tuple(e.under(self.framework.prefix) for e in ENDPOINTS))
        _checked(wrk.run(self.base_url, "/", script, duration_s=warmup_s), "warm-up")
        self.run.rss_after_warmup = self.server.rss()

    def load(self, wrk: Wrk, endpoint: Endpoint, quiet: Patience, label: str) -> None:
        """One round on `endpoint`, run again while the rest of the machine was busy."""
        attempt = 0
        while True:
            attempt += 1
            quiet.wait(self.server.pid)
            window = CpuWindow(self.server.pid)
            path = endpoint.under(self.framework.prefix).path
            result = wrk.run(self.base_url, path, script_for(endpoint))
            result = _checked(result, endpoint.label)
            background = window.close()
            result = replace(
                result,
                server_cpu_us_per_request=round(background.server_cpu_s / result.requests * 1e6, 1),
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
            for endpoint in ENDPOINTS:
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
        for endpoint in ENDPOINTS:
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
) -> list[FrameworkRun]:
    contenders = [Contender(f, cpu=cpu, logs=logs) for f in frameworks]
    try:
        SCHEDULES[schedule](contenders, wrk, rounds, warmup_s, quiet)
    finally:
        for contender in contenders:
            contender.server.stop()
    return [contender.run for contender in contenders]
