"""`benchmarks/db/run.py --quick` end to end: real servers, real wrk, the local PostgreSQL.

No timing thresholds here: speed targets are judged by the benchmark itself, not by tests.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness.postgres import Connection, Server, plain_dsn, with_database
from tests.benchmarks.helpers import ROOT, latest_markdown, require, run_benchmark, run_quick
from tests.conftest import _require

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(300)]

RUN = ROOT / "benchmarks" / "db" / "run.py"
STACKS = ("kwik", "fastapi", "asyncpg")
ENDPOINTS = {"list": "GET /products", "detail": "GET /products/{id}"}


@pytest.fixture(scope="module")
def missing_database(postgres_server: str | None) -> Iterator[str]:
    """The DSN of a database that doesn't exist yet (the run creates it); dropped afterwards."""
    server = Server(plain_dsn(_require(postgres_server)))
    name = f"kwik_bench_db_{secrets.token_hex(4)}"
    try:
        yield with_database(server.url, name)
    finally:
        server.drop(name)


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory, missing_database: str
) -> tuple[str, dict[str, Any], Path]:
    require(
        commands=("wrk",),
        modules=("fastapi", "psutil"),
        install="`make bench-tools` installs the benchmark's tools",
    )
    results = tmp_path_factory.mktemp("results")
    return run_quick(
        RUN, "--database-url", missing_database, results=results, latest="latest.json", timeout=240
    )


def test_every_endpoint_of_each_stack_is_measured_with_its_database_cpu(quick_run):
    _, report, _ = quick_run
    assert list(report["stacks"]) == list(STACKS)
    for name in STACKS:
        stack = report["stacks"][name]
        assert stack["error"] is None
        assert set(stack["endpoints"]) == set(ENDPOINTS)
        for figures in stack["endpoints"].values():
            assert figures["requests_per_s"] > 0
            assert figures["server_cpu_us_per_request"] > 0
            assert figures["database_cpu_us_per_request"] > 0
            assert all(sum(r["errors"].values()) == 0 for r in figures["rounds"])


def test_kwik_is_judged_against_fastapi_and_the_floor_on_both_endpoints(quick_run):
    _, report, _ = quick_run
    for peer in ("fastapi", "asyncpg"):
        for endpoint in ENDPOINTS:
            assert report["kwik_ratio"]["requests_per_s"][peer][endpoint] > 0
    assert {t["result"] for t in report["targets"]} <= {"PASS", "FAIL"}
    assert len(report["targets"]) == 4


def test_the_run_seeds_the_database_it_creates(quick_run, missing_database):
    _, report, _ = quick_run
    assert report["meta"]["postgres"]["database"] == missing_database.rsplit("/", 1)[1]
    with Connection(missing_database) as db:
        assert db.value("SELECT count(*) FROM products") == 1_000


def test_the_printed_table_has_a_row_per_stack_and_endpoint(quick_run):
    stdout, _, _ = quick_run
    rows = [line for line in stdout.splitlines() if line.startswith(tuple(ENDPOINTS.values()))]
    assert len(rows) == 6
    assert {row.split()[-1] for row in rows if "FastAPI" in row} <= {"PASS", "FAIL"}
    assert "Targets:" in stdout


def test_results_are_written_dated_and_as_latest_in_markdown_and_json(quick_run):
    _, _, results = quick_run
    assert "| GET /products | Kwik |" in latest_markdown(results)


def test_an_unknown_stack_is_a_usage_error():
    completed = run_benchmark(RUN, "--stacks", "django", timeout=60)
    assert completed.returncode == 2
    assert "Unknown stack(s) ['django']" in completed.stderr


def test_a_database_that_does_not_answer_is_a_usage_error():
    completed = run_benchmark(
        RUN, "--database-url", "postgresql://postgres@127.0.0.1:1/x", timeout=60
    )
    assert completed.returncode == 2
    assert "Cannot prepare the database at 127.0.0.1:1:" in completed.stderr
