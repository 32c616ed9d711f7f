"""`benchmarks/tasks/run.py --quick` end to end: real workers, real PostgreSQL, the table and files.

No timing thresholds here: speed targets are judged by the benchmark itself, not by tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _require

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
QUEUES = ("kwik", "pgqueuer", "procrastinate")
PHASES = {"one_by_one": "enqueue one by one", "bulk": "enqueue in bulk", "drain": "drain"}
MIB = 1024 * 1024


def _require_peers() -> None:
    missing = [name for name in ("pgqueuer", "procrastinate", "psutil") if find_spec(name) is None]
    if missing:
        message = f"{', '.join(missing)} missing: `make bench-tools` installs the benchmark's peers"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str | None
) -> tuple[str, dict[str, Any], Path]:
    _require_peers()
    server = _require(postgres_server)
    results = tmp_path_factory.mktemp("results")
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "tasks" / "run.py"),
            "--quick",
            "--database-url",
            server,
            "--results-dir",
            str(results),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads((results / "tasks-latest.json").read_text(encoding="utf-8"))
    return completed.stdout, report, results


def test_every_phase_of_each_queue_is_measured(quick_run):
    _, report, _ = quick_run
    for name in QUEUES:
        queue = report["queues"][name]
        assert queue["error"] is None
        assert set(queue["phases"]) == set(PHASES)
        for figures in queue["phases"].values():
            assert figures["jobs"] > 0
            assert figures["jobs_per_s"] > 0


def test_drains_report_the_start_up_and_the_workers_memory(quick_run):
    _, report, _ = quick_run
    for name in (*QUEUES, "kwik-durable"):
        drain = report["queues"][name]["phases"]["drain"]
        assert drain["startup_s"] > 0
        assert drain["total_jobs_per_s"] > 0
        assert 10 * MIB < drain["worker_rss_bytes"] < 2048 * MIB


def test_kwik_is_judged_against_each_peer_and_its_own_targets(quick_run):
    _, report, _ = quick_run
    for phase in PHASES:
        for peer in ("pgqueuer", "procrastinate"):
            assert report["kwik_ratio"][phase][peer] > 0
    assert report["kwik_ratio"]["drain"]["kwik-durable"] > 0  # compared, not judged
    assert {t["result"] for t in report["targets"]} <= {"PASS", "FAIL"}
    judged = {(t["phase"], t["peer"]) for t in report["targets"]}
    assert judged == {
        ("drain", "pgqueuer"),
        ("drain", "procrastinate"),
        ("one_by_one", "pgqueuer"),
        ("bulk", None),
        ("memory", None),
    }


def test_the_memory_run_reads_kwiks_worker_twice(quick_run):
    _, report, _ = quick_run
    memory = report["queues"]["kwik"]["memory"]
    assert memory["first_checkpoint"] < memory["jobs"]
    assert 10 * MIB < memory["rss_at_first_bytes"] < 2048 * MIB
    assert 10 * MIB < memory["rss_at_end_bytes"] < 2048 * MIB
    assert report["queues"]["pgqueuer"]["memory"] is None


def test_the_printed_table_has_a_row_per_queue_and_phase(quick_run):
    stdout, _, _ = quick_run
    rows = [line for line in stdout.splitlines() if line.startswith(("enqueue ", "drain, "))]
    assert len(rows) == 10  # 3 queues x 3 phases, and kwik with synchronous commit draining
    assert {row.split()[-1] for row in rows if "PgQueuer" in row} <= {"PASS", "FAIL", "-"}
    assert "Memory (worker RSS, MiB)" in stdout
    assert "Targets:" in stdout


def test_results_are_written_dated_and_as_latest_in_markdown_and_json(quick_run):
    _, _, results = quick_run
    names = sorted(path.name for path in results.iterdir())
    assert "tasks-latest.md" in names
    assert "tasks-latest.json" in names
    dated = [name for name in names if not name.startswith("tasks-latest")]
    assert len(dated) == 2
    assert all(name.startswith("tasks-") for name in dated)
    assert all(name.endswith(("-quick.md", "-quick.json")) for name in dated)
    markdown = (results / "tasks-latest.md").read_text(encoding="utf-8")
    assert "| drain, one worker | Kwik |" in markdown


def test_an_unknown_queue_is_a_usage_error():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tasks" / "run.py"), "--queues", "celery"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "Unknown queue(s) ['celery']" in completed.stderr
