"""Where a server spends its time per request: py-spy samples under wrk load, grouped by owner.

Each sample's innermost Python frame names the code that was running (time in C extensions, such
as pydantic-core's validators or uvloop's socket writes, counts for the Python frame that called
them). Frames are grouped by top-level package: kwik, starlette, pydantic, uvicorn, the event
loop, the benchmark app itself, and the rest. Multiplying each group's share of the samples by the
server's CPU time per request gives microseconds per request.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness.load import LoadResult, Wrk

__all__ = ["GROUPS", "Profile", "group_of", "parse_stacks", "record"]

GROUPS = ("kwik", "framework", "starlette", "pydantic", "uvicorn", "event loop", "app", "other")
"""`framework` is FastAPI's or Litestar's own code, when one of them is profiled."""
_PACKAGE_GROUP = {
    "kwik": "kwik",
    "starlette": "starlette",
    "fastapi": "framework",
    "litestar": "framework",
    "msgspec": "framework",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    "uvicorn": "uvicorn",
    "httptools": "uvicorn",
    "asyncio": "event loop",
    "uvloop": "event loop",
    "benchmarks": "app",
}
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Frame:
    function: str
    file: str
    line: int

    @property
    def package(self) -> str:
        return self.file.split("/", 1)[0].removesuffix(".py")

    def __str__(self) -> str:
        return f"{self.function} ({self.file}:{self.line})"


def group_of(frame: Frame) -> str:
    return _PACKAGE_GROUP.get(frame.package, "other")


def parse_stacks(text: str) -> list[tuple[list[Frame], int]]:
    """py-spy's raw (collapsed) output: one `frame;frame;... count` line per distinct stack."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = []
        for part in stack.split(";"):
            match = _FRAME.match(part)
            if match:
                frames.append(Frame(match["function"], match["file"], int(match["line"] or 0)))
        if frames:
            stacks.append((frames, int(count)))
    return stacks


@dataclass
class Profile:
    """One endpoint's profile: samples by group (self time), by function, and under kwik."""

    framework: str
    endpoint: str
    load: LoadResult
    server_cpu_s: float
    samples: int = 0
    other_threads: int = 0
    by_group: Counter[str] = field(default_factory=Counter)
    by_leaf: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU per request over the profiled window (py-spy's pauses included)."""
        requests = self.load.requests_per_s * self.load.duration_s
        return self.server_cpu_s / max(requests, 1) * 1e6

    def add(self, frames: list[Frame], count: int) -> None:
        if frames[0].function == "Thread._bootstrap":
            # Not the event loop's thread: an idle worker of the thread pool, which py-spy can
            # mistake for a running one. (Sync handlers would run here; none are benchmarked.)
            self.other_threads += count
            return
        self.samples += count
        leaf = frames[-1]
        group = group_of(leaf)
        if leaf.function == "Runner.run" and leaf.package == "asyncio":
            group = "event loop"  # uvloop's C loop (socket reads, callbacks) under asyncio.run
        self.by_group[group] += count
        self.by_leaf[f"{group}: {leaf}"] += count
        seen: set[str] = set()
        for frame in frames:
            if frame.package in ("kwik", "benchmarks"):
                name = f"{frame.function} ({frame.file})"
                if name not in seen:
                    seen.add(name)
                    self.inclusive[name] += count

    def share(self, counter: Counter[str], key: str) -> float:
        return counter[key] / self.samples if self.samples else 0.0

    def microseconds(self, counter: Counter[str], key: str) -> float:
        return self.share(counter, key) * self.cpu_us_per_request


def record(
    pid: int,
    *,
    wrk: Wrk,
    base_url: str,
    path: str,
    script: str,
    duration_s: int,
    rate: int,
    output: Path,
    cpu_seconds: Callable[[], float],
) -> tuple[str, LoadResult, float]:
    """Sample `pid` with py-spy for `duration_s` while wrk loads `path` a little longer.

    Returns py-spy's raw stacks, wrk's figures, and the server's CPU seconds over the sampling.
    """
    beside = Path(sys.executable).parent / "py-spy"  # pip puts it next to the venv's python
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise RuntimeError("py-spy is not installed: `make bench` installs it")
    results: list[LoadResult] = []
    loader = threading.Thread(
        target=lambda: results.append(wrk.run(base_url, path, script, duration_s=duration_s + 2))
    )
    loader.start()
    threading.Event().wait(1.0)  # let wrk open its connections first
    before = cpu_seconds()
    completed = subprocess.run(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(duration_s),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    used = cpu_seconds() - before
    loader.join()
    if completed.returncode != 0:
        raise RuntimeError(f"py-spy failed: {completed.stderr.strip()}")
    return output.read_text(encoding="utf-8"), results[0], used
