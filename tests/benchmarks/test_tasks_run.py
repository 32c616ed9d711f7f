"""`benchmarks/tasks/run.py --quick` end to end: real workers, real PostgreSQL, the table and files.

No timing thresholds here: speed targets are judged by the benchmark itself, not by tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.helpers import MIB, ROOT, latest_markdown, require, run_benchmark, run_quick
from tests.conftest import _require

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(600)]

RUN = ROOT / "benchmarks" / "tasks" / "run.py"
QUEUES = ("kwik", "pgqueuer", "procrastinate")
PHASES = {"one_by_one": "enqueue one by one", "bulk": "enqueue in bulk", "drain": "drain"}


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str | None
) -> tuple[str, dict[str, Any], Path]:
    require(
        modules=("pgqueuer", "procrastinate", "psutil"),
        install="`make bench-tools` installs the benchmark's peers",
    )
    server = _require(postgres_server)
    results = tmp_path_factory.mktemp("results")
    return run_quick(
        RUN, "--database-url", server, results=results, latest="tasks-latest.json", timeout=540
    )


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
    assert "| drain, one worker | Kwik |" in latest_markdown(results, "tasks-")


def test_an_unknown_queue_is_a_usage_error():
    completed = run_benchmark(RUN, "--queues", "celery", timeout=60)
    assert completed.returncode == 2
    assert "Unknown queue(s) ['celery']" in completed.stderr
