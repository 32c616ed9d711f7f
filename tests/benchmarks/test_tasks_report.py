"""The task benchmark's verdicts: kwik's ratios to PgQueuer and procrastinate, bulk and memory."""

from __future__ import annotations

from benchmarks.tasks.report import build_report, render_markdown, render_text
from benchmarks.tasks.results import Measurement, MemoryRun, QueueRun

META = {
    "date": "2026-01-01T00:00:00+00:00",
    "quick": True,
    "machine": "test",
    "versions": {"python": "3"},
    "postgres": {"version": "15", "address": "127.0.0.1:5432", "settings": {"fsync": "on"}},
    "sizes": {
        "one_by_one": 100,
        "bulk": 1_000,
        "drain": 1_000,
        "memory": 1_000,
        "memory_checkpoint": 100,
    },
    "rounds": 1,
    "noise_limit_cores": 0.25,
    "retries": 0,
}
MIB = 1024 * 1024


def run(
    name: str,
    per_second: dict[str, float],
    memory: tuple[float, float] | None = None,
) -> QueueRun:
    queue = QueueRun(name, name.title(), "1.0", "defaults")
    for phase, rate in per_second.items():
        startup = 0.5 if phase == "drain" else None
        total = 1_000 / rate + 0.5 if phase == "drain" else None
        queue.rounds[phase] = [
            Measurement(jobs=1_000, seconds=1_000 / rate, startup_s=startup, total_s=total)
        ]
    if memory is not None:
        queue.memory = MemoryRun(1_000, 100, int(memory[0] * MIB), int(memory[1] * MIB), 1.0)
    return queue


def kwik(drain: float = 12_000, one: float = 3_000, bulk: float = 60_000) -> QueueRun:
    return run("kwik", {"one_by_one": one, "bulk": bulk, "drain": drain}, memory=(60, 62))


PGQUEUER = run("pgqueuer", {"one_by_one": 3_000, "bulk": 80_000, "drain": 10_000})
PROCRASTINATE = run("procrastinate", {"one_by_one": 1_000, "bulk": 10_000, "drain": 500})


def verdicts(report: dict) -> dict[tuple[str, str | None], str]:
    return {(t["phase"], t["peer"]): t["result"] for t in report["targets"]}


def test_ratios_pass_at_their_threshold_and_fail_below():
    report = build_report(META, [kwik(drain=12_000), PGQUEUER, PROCRASTINATE])
    results = verdicts(report)
    assert report["kwik_ratio"]["drain"]["pgqueuer"] == 1.2
    assert results[("drain", "pgqueuer")] == "PASS"
    assert results[("drain", "procrastinate")] == "PASS"  # 24x
    assert results[("one_by_one", "pgqueuer")] == "PASS"  # exactly 1.0x
    failing = verdicts(build_report(META, [kwik(drain=11_900), PGQUEUER, PROCRASTINATE]))
    assert failing[("drain", "pgqueuer")] == "FAIL"


def test_bulk_enqueue_is_judged_against_its_floor():
    assert verdicts(build_report(META, [kwik(bulk=50_000)]))[("bulk", None)] == "PASS"
    assert verdicts(build_report(META, [kwik(bulk=49_999)]))[("bulk", None)] == "FAIL"


def test_memory_passes_within_ten_percent_either_way():
    steady = kwik()
    assert verdicts(build_report(META, [steady]))[("memory", None)] == "PASS"
    grown = kwik()
    grown.memory = MemoryRun(1_000, 100, 60 * MIB, 67 * MIB, 1.0)
    assert verdicts(build_report(META, [grown]))[("memory", None)] == "FAIL"


def test_peers_missing_from_the_run_are_not_judged():
    results = verdicts(build_report(META, [kwik(), PGQUEUER]))
    assert results[("drain", "pgqueuer")] == "PASS"
    assert results[("drain", "procrastinate")] == "n/a"


def test_a_kwik_that_could_not_be_measured_fails_every_target():
    broken = QueueRun("kwik", "Kwik", "1.0", "defaults", error="the worker exited")
    results = verdicts(build_report(META, [broken, PGQUEUER, PROCRASTINATE]))
    assert set(results.values()) == {"FAIL"}


def test_without_kwik_in_the_run_nothing_is_judged():
    report = build_report(META, [PGQUEUER, PROCRASTINATE])
    assert {t["result"] for t in report["targets"]} == {"n/a"}


def test_text_and_markdown_show_the_same_rows_and_the_settings():
    report = build_report(META, [kwik(), PGQUEUER, PROCRASTINATE])
    text, markdown = render_text(report), render_markdown(report)
    for view in (text, markdown):
        assert "drain, one worker" in view
        assert "1.20x" in view
        assert ">= 50,000/s" in view
        assert "defaults" in view  # each queue's configuration
    assert markdown.count("| enqueue in bulk |") == 3
    assert "| Kwik | 1,000 | 60.0 (after 100) | 62.0 |" in markdown
