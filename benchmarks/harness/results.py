"""What every benchmark run records and where it goes: the machine, the log, the results files.

A run writes its report twice, under a dated name and as `latest`, each as Markdown and JSON, so
the newest figures have a stable address and older runs stay for comparison. The tasks benchmark
prefixes both names (`tasks-<date>`, `tasks-latest`) in the same folder.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "log", "machine", "save"]

RESULTS = Path(__file__).resolve().parents[1] / "results"
"""benchmarks/results: where full runs write their reports."""


def machine() -> str:
    """The CPU model, its count, and the kernel: what the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def save(
    report: dict[str, Any],
    folder: Path,
    render_markdown: Callable[[dict[str, Any]], str],
    *,
    prefix: str = "",
) -> list[Path]:
    """Write `report` as `<prefix><date>` and `<prefix>latest`, `.md` and `.json`; return paths.

    The date comes from `report["meta"]["date"]`; a quick run's dated files end in `-quick`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["meta"]["date"]).strftime("%Y-%m-%dT%H%M%SZ")
    if report["meta"]["quick"]:
        stamp += "-quick"
    markdown = render_markdown(report)
    data = json.dumps(report, indent=2) + "\n"
    written = []
    for name in (f"{prefix}{stamp}", f"{prefix}latest"):
        for suffix, text in ((".md", markdown), (".json", data)):
            path = folder / f"{name}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
