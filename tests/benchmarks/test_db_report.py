"""The database benchmark's verdicts: kwik against FastAPI + SQLAlchemy and the asyncpg floor."""

from __future__ import annotations

from benchmarks.db.report import build_report, render_markdown, render_text
from benchmarks.harness.report import FrameworkRun
from tests.benchmarks.helpers import LOAD_META, MIB, load_result

META = {
    **LOAD_META,
    "postgres": {
        "version": "15",
        "address": "127.0.0.1:5432",
        "database": "kwik_bench_db",
        "settings": {"jit": "on"},
    },
    "rows": 1_000,
    "pool_size": 10,
    "requests": {"list": "GET /products?limit=20&offset=40", "detail": "GET /products/{id}"},
}


def run(name: str, rps: float, database_us: float = 100.0) -> FrameworkRun:
    return FrameworkRun(
        name,
        name.title(),
        "1.0",
        rounds={key: [load_result(rps, database_us=database_us)] for key in ("list", "detail")},
        rss_after_warmup=50 * MIB,
        rss_after_load=51 * MIB,
    )


def verdicts(report: dict) -> dict[tuple[str, str], str]:
    return {(t["peer"], t["endpoint"]): t["result"] for t in report["targets"]}


def test_kwik_passes_at_twice_fastapi_and_half_the_floor_and_fails_just_below():
    passing = build_report(META, [run("kwik", 2_000), run("fastapi", 1_000), run("asyncpg", 4_000)])
    assert set(verdicts(passing).values()) == {"PASS"}
    failing = build_report(META, [run("kwik", 1_990), run("fastapi", 1_000), run("asyncpg", 4_000)])
    results = verdicts(failing)
    assert results[("fastapi", "list")] == "FAIL"  # 1.99x
    assert results[("asyncpg", "detail")] == "FAIL"  # 0.4975x
    assert failing["kwik_ratio"]["requests_per_s"]["asyncpg"]["list"] == 0.497


def test_both_endpoints_are_judged_against_both_stacks_and_nothing_else():
    report = build_report(META, [run("kwik", 2_000), run("fastapi", 1_000), run("asyncpg", 4_000)])
    assert set(verdicts(report)) == {
        ("fastapi", "list"),
        ("fastapi", "detail"),
        ("asyncpg", "list"),
        ("asyncpg", "detail"),
    }


def test_by_cpu_counts_the_database_servers_cpu_with_the_servers():
    # kwik: 500 µs in the server + 500 in PostgreSQL; FastAPI: 1,000 + 1,000
    report = build_report(META, [run("kwik", 2_000, 500.0), run("fastapi", 1_000, 1_000.0)])
    kwik = report["stacks"]["kwik"]["endpoints"]["list"]
    assert kwik["database_cpu_us_per_request"] == 500.0
    assert kwik["total_cpu_us_per_request"] == 1_000.0
    assert report["kwik_ratio"]["cpu_per_request"]["fastapi"]["list"] == 2.0


def test_a_stack_missing_from_the_run_is_not_judged():
    results = verdicts(build_report(META, [run("kwik", 2_000), run("asyncpg", 3_000)]))
    assert results[("asyncpg", "list")] == "PASS"
    assert results[("fastapi", "list")] == "n/a"


def test_a_kwik_that_could_not_be_measured_fails_against_every_measured_stack():
    broken = FrameworkRun("kwik", "Kwik", "1.0", error="answers wrongly")
    report = build_report(META, [broken, run("fastapi", 1_000)])
    results = verdicts(report)
    assert results[("fastapi", "detail")] == "FAIL"
    assert results[("asyncpg", "detail")] == "n/a"
    assert report["summary"]["errors"] == {"kwik": "answers wrongly"}
    assert "ERROR kwik: answers wrongly" in render_text(report)


def test_text_and_markdown_show_a_row_per_stack_and_endpoint_with_the_verdicts():
    report = build_report(META, [run("kwik", 2_000), run("fastapi", 1_000), run("asyncpg", 5_000)])
    text, markdown = render_text(report), render_markdown(report)
    for view in (text, markdown):
        assert "2.00x" in view
        assert "0.40x" in view
        assert "Targets: 2 PASS, 2 FAIL" in view
    assert markdown.count("| GET /products |") == 3
    assert markdown.count("| GET /products/{id} |") == 3


def test_ratios_near_their_threshold_are_called_close():
    report = build_report(META, [run("kwik", 1_000), run("asyncpg", 1_960)])
    assert "asyncpg GET /products 0.51x (target 0.5x)" in render_text(report)
