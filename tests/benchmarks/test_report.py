"""The benchmark's verdicts: kwik's ratio to each peer, judged against its targets."""

from __future__ import annotations

from benchmarks.harness.report import FrameworkRun, build_report, render_markdown, render_text
from tests.benchmarks.helpers import LOAD_META, MIB, load_result


def run(name: str, rps: float, rss_mib: tuple[float, float] = (50, 51)) -> FrameworkRun:
    return FrameworkRun(
        name,
        name.title(),
        "1.0",
        rounds={key: [load_result(rps)] for key in ("ping", "read", "create")},
        rss_after_warmup=int(rss_mib[0] * MIB),
        rss_after_load=int(rss_mib[1] * MIB),
    )


def verdicts(report: dict) -> dict[tuple[str | None, str | None], str]:
    return {(t["peer"], t["endpoint"]): t["result"] for t in report["targets"]}


def test_kwik_passes_a_ratio_target_at_the_threshold_and_fails_below_it():
    report = build_report(
        LOAD_META, [run("kwik", 20_000), run("fastapi", 10_000), run("litestar", 16_700)]
    )
    results = verdicts(report)
    assert results[("fastapi", "ping")] == "PASS"  # exactly 2.0x
    assert results[("litestar", "ping")] == "FAIL"  # 1.198x
    assert report["kwik_ratio"]["requests_per_s"]["fastapi"]["read"] == 2.0
    assert report["kwik_ratio"]["server_cpu_per_request"]["fastapi"]["read"] == 2.0


def test_peers_missing_from_the_run_are_not_judged():
    results = verdicts(build_report(LOAD_META, [run("kwik", 20_000), run("starlette", 20_000)]))
    assert results[("starlette", "create")] == "PASS"
    assert results[("fastapi", "create")] == "n/a"
    assert results[("fastapi", None)] == "n/a"  # RSS against FastAPI's


def test_without_kwik_in_the_run_nothing_is_judged():
    report = build_report(LOAD_META, [run("fastapi", 10_000), run("starlette", 20_000)])
    assert {t["result"] for t in report["targets"]} == {"n/a"}


def test_a_kwik_that_could_not_be_measured_fails_every_target_with_a_peer():
    broken = FrameworkRun("kwik", "Kwik", "1.0", error="answers wrongly")
    results = verdicts(build_report(LOAD_META, [broken, run("fastapi", 10_000)]))
    assert results[("fastapi", "ping")] == "FAIL"
    assert results[(None, None)] == "FAIL"
    assert results[("litestar", "ping")] == "n/a"


def test_memory_targets_judge_growth_and_the_size_against_fastapi():
    report = build_report(
        LOAD_META, [run("kwik", 1, rss_mib=(60, 67)), run("fastapi", 1, rss_mib=(50, 55))]
    )
    results = verdicts(report)
    assert report["frameworks"]["kwik"]["rss"]["growth_pct"] == 11.67
    assert results[(None, None)] == "FAIL"  # grew 11.7% >= 10%
    assert results[("fastapi", None)] == "FAIL"  # 67 MiB > 55 MiB


def test_the_median_round_is_reported():
    kwik = run("kwik", 1)
    kwik.rounds["ping"] = [load_result(300), load_result(100), load_result(200)]
    report = build_report(LOAD_META, [kwik])
    assert report["frameworks"]["kwik"]["endpoints"]["ping"]["requests_per_s"] == 200
    assert report["frameworks"]["kwik"]["endpoints"]["ping"]["spread_pct"] == 100.0


def test_noisy_rounds_are_counted_and_named_in_the_table():
    kwik = run("kwik", 1)
    kwik.rounds["read"] = [load_result(100, background=0.9)]
    report = build_report(LOAD_META, [kwik])
    assert report["summary"]["noisy_rounds"] == 1
    assert "Noise: 1 of 3 rounds" in render_text(report)


def test_text_and_markdown_show_the_same_rows():
    report = build_report(LOAD_META, [run("kwik", 20_000), run("fastapi", 10_000)])
    text, markdown = render_text(report), render_markdown(report)
    for view in (text, markdown):
        assert "GET /items/{id}" in view
        assert "2.00x" in view
        assert "PASS" in view
    assert markdown.count("| POST /items |") == 2


def test_ratios_near_their_threshold_are_called_close():
    report = build_report(LOAD_META, [run("kwik", 19_700), run("fastapi", 10_000)])
    assert "Close to the threshold" in render_text(report)
    assert "fastapi GET /ping 1.97x (target 2.0x)" in render_text(report)


def test_a_versioned_variant_passes_at_95_percent_of_kwik_on_every_endpoint_and_fails_below():
    report = build_report(
        LOAD_META,
        [run("kwik", 10_000), run("kwik-versioned", 9_500), run("kwik-versioned-url", 9_490)],
    )
    overhead = {(t["variant"], t["endpoint"]): t for t in report["targets"] if "variant" in t}
    for endpoint in ("ping", "read", "create"):
        assert overhead[("kwik-versioned", endpoint)]["result"] == "PASS"  # exactly 0.95x
        assert overhead[("kwik-versioned-url", endpoint)]["measured"] == 0.949
        assert overhead[("kwik-versioned-url", endpoint)]["result"] == "FAIL"
