"""Load with wrk: one wrk process per run, its figures read from the line `wrk/report.lua` prints.

A run sends one endpoint's request over and over (a static request wrk formats once); the warm-up
run sends all of them in turn. Scripts are written per run from the endpoint definitions, so the
POST body wrk sends is the one the checks verified.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.harness.endpoints import Endpoint
from benchmarks.harness.server import pin_to

__all__ = ["LoadError", "LoadResult", "Wrk", "wrk_version"]

REPORT_LUA = Path(__file__).resolve().parents[1] / "wrk" / "report.lua"
MARKER = "BENCH_RESULT "


class LoadError(RuntimeError):
    """wrk failed, or the server answered errors under load."""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_s: float
    requests_per_s: float
    latency_mean_ms: float
    latency_p50_ms: float
    latency_p90_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    errors: dict[str, int]
    server_cpu_us_per_request: float | None = None  # the server's CPU time / requests
    # CPU time / requests of what the measurement counts beside the server (a database server)
    database_cpu_us_per_request: float | None = None
    background_cores: float | None = None  # CPU the rest of the machine used meanwhile
    steal_cores: float | None = None
    attempts: int = 1  # runs it took to get a round the rest of the machine left alone

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def _lua_headers(headers: dict[str, str]) -> str:
    return (
        "{"
        + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
        + "}"
    )


def script_for(endpoint: Endpoint) -> str:
    """A wrk script that sends `endpoint`'s request, formatted once by wrk (or, when it has
    `more_paths`, each of its requests in turn)."""
    if endpoint.more_paths:
        return script_for_all(endpoint.each())
    lines = [f"wrk.method = {_lua_string(endpoint.method)}"]
    if endpoint.body is not None:
        lines.append(f"wrk.body = {_lua_string(endpoint.body.decode())}")
    for name, value in endpoint.headers.items():
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    return "\n".join(lines) + "\n"


def script_for_all(endpoints: tuple[Endpoint, ...]) -> str:
    """A wrk script that sends each of `endpoints`' requests in turn (for the warm-up), every
    path of an endpoint with `more_paths`; each request is formatted once, in `init`."""
    formatted = []
    for endpoint in (single for e in endpoints for single in e.each()):
        body = "nil" if endpoint.body is None else _lua_string(endpoint.body.decode())
        formatted.append(
            f"wrk.format({_lua_string(endpoint.method)}, {_lua_string(endpoint.path)}, "
            f"{_lua_headers(endpoint.headers)}, {body})"
        )
    return (
        "local requests, i = {}, 0\n"
        "init = function(args)\n"
        + "".join(f"  requests[{n}] = {call}\n" for n, call in enumerate(formatted, 1))
        + "end\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        "  return requests[i]\n"
        "end\n"
    )


def wrk_version() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "missing"
    completed = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first = (completed.stdout + completed.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


@dataclass(frozen=True)
class Wrk:
    """How every run is loaded: the same threads, connections and duration for all frameworks."""

    threads: int
    connections: int
    duration_s: int
    cpu: int | None = None
    timeout_s: int = 5

    def options(self) -> list[str]:
        return [
            f"--threads={self.threads}",
            f"--connections={self.connections}",
            f"--duration={self.duration_s}s",
            f"--timeout={self.timeout_s}s",
        ]

    def run(
        self, base_url: str, path: str, script: str, *, duration_s: int | None = None
    ) -> LoadResult:
        wrk = shutil.which("wrk")
        if wrk is None:
            raise LoadError("wrk is not installed: `make bench` installs it (apt-get install wrk)")
        options = self.options()
        if duration_s is not None:
            options[2] = f"--duration={duration_s}s"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
            file.write(script + REPORT_LUA.read_text(encoding="utf-8"))
            script_path = Path(file.name)
        try:
            completed = subprocess.run(
                [wrk, *options, f"--script={script_path}", base_url + path],
                capture_output=True,
                text=True,
                check=False,
                timeout=(duration_s or self.duration_s) + 30,
                preexec_fn=lambda: pin_to(self.cpu),
            )
        finally:
            script_path.unlink()
        return _parse(completed)


def _parse(completed: subprocess.CompletedProcess[str]) -> LoadResult:
    line = next((x for x in completed.stdout.splitlines() if x.startswith(MARKER)), None)
    if completed.returncode != 0 or line is None:
        raise LoadError(
            f"wrk failed (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}"
        )
    raw = json.loads(line[len(MARKER) :])
    errors = {
        name: int(raw[f"{name}_errors" if name != "timeouts" else name])
        for name in ("connect", "read", "write", "status", "timeouts")
    }
    duration_s = raw["duration_us"] / 1e6
    return LoadResult(
        requests=int(raw["requests"]),
        duration_s=round(duration_s, 3),
        requests_per_s=round(raw["requests"] / duration_s, 1),
        latency_mean_ms=round(raw["latency_mean_us"] / 1000, 3),
        latency_p50_ms=round(raw["latency_p50_us"] / 1000, 3),
        latency_p90_ms=round(raw["latency_p90_us"] / 1000, 3),
        latency_p99_ms=round(raw["latency_p99_us"] / 1000, 3),
        latency_max_ms=round(raw["latency_max_us"] / 1000, 3),
        errors=errors,
    )
