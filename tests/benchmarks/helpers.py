"""What the benchmark tests share: running a benchmark's command, its tools, and a wrk round.

The end-to-end tests run each benchmark's `run.py` the way a developer does, and the report tests
build reports from rounds made here; one copy keeps the three benchmarks' tests alike.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness.load import LoadResult

__all__ = [
    "LOAD_META",
    "MIB",
    "ROOT",
    "latest_markdown",
    "load_result",
    "require",
    "run_benchmark",
    "run_quick",
]

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024

LOAD_META: dict[str, Any] = {
    "date": "2026-01-01T00:00:00+00:00",
    "quick": True,
    "machine": "test",
    "versions": {"python": "3"},
    "uvicorn_options": ["--no-access-log"],
    "server_cpu": 0,
    "wrk": "wrk",
    "wrk_options": ["--connections=64"],
    "wrk_cpu": 1,
    "warmup_s": 1,
    "rounds": 1,
    "schedule": "interleaved",
    "noise_limit_cores": 0.25,
    "retries": 0,
}
"""The `meta` of a quick wrk run (HTTP or database benchmark), as its report reads it."""


def load_result(
    requests_per_s: float, *, background: float = 0.0, database_us: float | None = None
) -> LoadResult:
    """A clean wrk round at `requests_per_s`, the server spending 1s of CPU per second."""
    return LoadResult(
        requests=int(requests_per_s),
        duration_s=1.0,
        requests_per_s=requests_per_s,
        latency_mean_ms=1.0,
        latency_p50_ms=1.0,
        latency_p90_ms=2.0,
        latency_p99_ms=3.0,
        latency_max_ms=4.0,
        errors={"connect": 0, "read": 0, "write": 0, "status": 0, "timeouts": 0},
        server_cpu_us_per_request=1e6 / requests_per_s,
        database_cpu_us_per_request=database_us,
        background_cores=background,
    )


def require(*, commands: Iterable[str] = (), modules: Iterable[str] = (), install: str) -> None:
    """Skip the test (fail it on CI) when a command or module a benchmark needs is missing;
    `install` says how to get them."""
    missing = [name for name in commands if shutil.which(name) is None]
    missing += [name for name in modules if find_spec(name) is None]
    if missing:
        message = f"{', '.join(missing)} missing: {install}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def run_benchmark(script: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`python script args...` from the repository's root, its output captured."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_quick(
    script: Path, *args: str, results: Path, latest: str, timeout: float
) -> tuple[str, dict[str, Any], Path]:
    """Run `script --quick args...` writing into `results`; (its stdout, the report in its
    `latest` JSON file, the folder). The run must succeed."""
    completed = run_benchmark(
        script, "--quick", *args, "--results-dir", str(results), timeout=timeout
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads((results / latest).read_text(encoding="utf-8"))
    return completed.stdout, report, results


def latest_markdown(results: Path, prefix: str = "") -> str:
    """The `<prefix>latest.md` a quick run wrote in `results`, after checking that the folder
    holds it, `<prefix>latest.json`, and the same two under a dated `-quick` name."""
    names = sorted(path.name for path in results.iterdir())
    assert {f"{prefix}latest.md", f"{prefix}latest.json"} <= set(names)
    dated = [name for name in names if not name.startswith(f"{prefix}latest")]
    assert len(dated) == 2
    assert all(name.startswith(prefix) for name in dated)
    assert all(name.endswith(("-quick.md", "-quick.json")) for name in dated)
    return (results / f"{prefix}latest.md").read_text(encoding="utf-8")
