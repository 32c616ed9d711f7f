"""`benchmarks/run.py --quick` end to end: real uvicorn servers, real wrk, the table and files.

No timing thresholds here: speed targets are judged by the benchmark itself, not by tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.helpers import MIB, ROOT, latest_markdown, require, run_quick

pytestmark = pytest.mark.slow

RUN = ROOT / "benchmarks" / "run.py"
ENDPOINTS = {"ping": "GET /ping", "read": "GET /items/{id}", "create": "POST /items"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], Path]:
    require(
        commands=("wrk",),
        modules=("psutil",),
        install="`make bench` installs the benchmark's tools",
    )
    results = tmp_path_factory.mktemp("results")
    return run_quick(
        RUN, "--frameworks", "kwik,starlette", results=results, latest="latest.json", timeout=90
    )


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
    assert "| GET /ping | Kwik |" in latest_markdown(results)
