"""`benchmarks/run.py --quick` end to end: real uvicorn servers, real wrk, the table and files.

No timing thresholds here: speed targets are judged by the benchmark itself, not by tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {"ping": "GET /ping", "read": "GET /items/{id}", "create": "POST /items"}
MIB = 1024 * 1024


def _require_tools() -> None:
    missing = [
        what for what, ok in (("wrk", shutil.which("wrk")), ("psutil", _has("psutil"))) if not ok
    ]
    if missing:
        message = f"{', '.join(missing)} missing: `make bench` installs the benchmark's tools"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], Path]:
    _require_tools()
    results = tmp_path_factory.mktemp("results")
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--frameworks",
            "kwik,starlette",
            "--results-dir",
            str(results),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads((results / "latest.json").read_text(encoding="utf-8"))
    return completed.stdout, report, results


def test_every_endpoint_of_each_framework_is_measured(quick_run):
    _, report, _ = quick_run
    for name in ("kwik", "starlette"):
        framework = report["frameworks"][name]
        assert framework["error"] is None
        assert set(framework["endpoints"]) == set(ENDPOINTS)
        for figures in framework["endpoints"].values():
            assert figures["requests_per_s"] > 0
            assert 0 < figures["latency_p99_ms"] < 60_000
            assert all(sum(r["errors"].values()) == 0 for r in figures["rounds"])


def test_each_server_reports_its_memory_after_warm_up_and_after_load(quick_run):
    _, report, _ = quick_run
    for name in ("kwik", "starlette"):
        rss = report["frameworks"][name]["rss"]
        assert 10 * MIB < rss["after_warmup_bytes"] < 2048 * MIB
        assert 10 * MIB < rss["after_load_bytes"] < 2048 * MIB
        assert rss["growth_pct"] is not None


def test_kwik_is_judged_against_the_peers_in_the_run_only(quick_run):
    _, report, _ = quick_run
    for endpoint in ENDPOINTS:
        assert report["kwik_ratio"]["requests_per_s"]["starlette"][endpoint] > 0
    results = {(t["peer"], t["endpoint"]): t["result"] for t in report["targets"]}
    assert {results[("starlette", e)] for e in ENDPOINTS} <= {"PASS", "FAIL"}
    assert results[("fastapi", "ping")] == "n/a"
    assert results[(None, None)] in {"PASS", "FAIL"}  # kwik's RSS growth


def test_the_printed_table_has_a_row_per_framework_and_endpoint(quick_run):
    stdout, _, _ = quick_run
    rows = [line for line in stdout.splitlines() if line.startswith(tuple(ENDPOINTS.values()))]
    assert len(rows) == 6
    assert {row.split()[-1] for row in rows if "Starlette" in row} <= {"PASS", "FAIL"}
    assert "Memory (RSS, MiB)" in stdout
    assert "Targets:" in stdout


def test_results_are_written_dated_and_as_latest_in_markdown_and_json(quick_run):
    _, _, results = quick_run
    names = sorted(path.name for path in results.iterdir())
    assert "latest.md" in names
    assert "latest.json" in names
    dated = [name for name in names if not name.startswith("latest")]
    assert len(dated) == 2
    assert all(name.endswith(("-quick.md", "-quick.json")) for name in dated)
    assert "| GET /ping | Kwik |" in (results / "latest.md").read_text(encoding="utf-8")
