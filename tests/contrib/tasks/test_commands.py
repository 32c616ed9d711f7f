"""`kwik tasks list|show|retry|cancel|purge|stats`, through the installed `kwik` script.

Jobs are arranged as rows in the states each test needs (monitoring_support.py), on SQLite and
on PostgreSQL; the retry test runs a real `kwik worker` to show the retried job running again.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from tests.contrib.tasks.monitoring_support import (
    FLAKY,
    NEWSLETTER,
    RECEIPT,
    arrange,
    job,
    read,
    write_project,
)
from tests.support import KWIK_SCRIPT, Project, run_kwik

pytestmark = pytest.mark.slow

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


def kwik_tasks(project: Project, *args: str, input: str | None = "") -> subprocess.CompletedProcess:
    return run_kwik("tasks", *args, cwd=project.root, input=input)


def rows_of(listing: str) -> list[list[str]]:
    """The data rows of `kwik tasks list`, split on runs of spaces (the error column last)."""
    lines = listing.strip().splitlines()
    return [line.split(maxsplit=6) for line in lines[1:] if " proj." in line]


# -- discovery and bad input -----------------------------------------------------------------


def test_the_tasks_app_adds_the_tasks_group_and_the_worker_command(project: Project):
    write_project(project, "sqlite+aiosqlite:///db.sqlite3")
    listed = run_kwik("--help", cwd=project.root)
    assert listed.returncode == 0, listed.stderr
    section = listed.stdout.split("Commands [tasks]:", 1)[1]
    assert "tasks " in section
    assert "worker " in section


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list", "--state", "bogus"), "'bogus' is not one of 'queued', 'running'"),
        (("list", "--older-than", "3 fortnights"), "is not a duration: use a number and a unit"),
        (("show", "abc"), "'abc' is not a valid integer"),
        (("retry", "x1"), "'x1' is not a valid integer"),
        (("list", "--limit", "0"), "0 is not in the range x>=1"),
    ],
)
def test_malformed_input_is_a_one_line_usage_error(project: Project, args, message):
    write_project(project, "sqlite+aiosqlite:///db.sqlite3")
    result = kwik_tasks(project, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_before_migrate_a_command_says_to_migrate(project: Project):
    write_project(project, "sqlite+aiosqlite:///db.sqlite3")
    result = kwik_tasks(project, "list")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: The database refused: ")
    assert result.stderr.strip().endswith("Has `kwik migrate` created the tasks tables?")


# -- list --------------------------------------------------------------------------------------


def test_list_shows_jobs_newest_first_with_state_attempts_and_error(
    project: Project, database_url: str
):
    arrange(
        project,
        database_url,
        job(RECEIPT, "succeeded", age=HOUR),
        job(RECEIPT, "failed", max_attempts=3, attempts=3, error="ValueError: no such order"),
    )
    result = kwik_tasks(project, "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == [
        "ID",
        "TASK",
        "QUEUE",
        "STATE",
        "ATTEMPTS",
        "AGE",
        "ERROR",
    ]
    newest, oldest = rows_of(result.stdout)
    assert newest[:5] == ["2", RECEIPT, "default", "failed", "3/3"]
    assert newest[6] == "ValueError: no such order"
    assert oldest[:4] == ["1", RECEIPT, "default", "succeeded"]
    assert oldest[5] == "1h"


def test_list_filters_by_queue_state_and_task(project: Project, database_url: str):
    arrange(
        project,
        database_url,
        job(RECEIPT, "queued"),
        job(RECEIPT, "failed"),
        job(NEWSLETTER, "failed", args={"issue": 1}),
        job(NEWSLETTER, "queued", args={"issue": 2}),
    )

    def ids(*args: str) -> list[str]:
        result = kwik_tasks(project, "list", *args)
        assert result.returncode == 0, result.stderr
        return [row[0] for row in rows_of(result.stdout)]

    assert ids("--queue", "mail") == ["4", "3"]
    assert ids("--state", "failed") == ["3", "2"]
    assert ids("--state", "FAILED", "--state", "queued", "--task", RECEIPT) == ["2", "1"]
    assert ids("--queue", "mail", "--state", "failed") == ["3"]


def test_list_filters_by_age_since_a_job_finished_or_was_created(
    project: Project, database_url: str
):
    arrange(
        project,
        database_url,
        job(RECEIPT, "failed", age=2 * WEEK),
        job(RECEIPT, "queued", age=2 * WEEK),
        job(RECEIPT, "failed", age=HOUR),
        job(RECEIPT, "queued"),
    )
    result = kwik_tasks(project, "list", "--older-than", "7d")
    assert [row[0] for row in rows_of(result.stdout)] == ["2", "1"]
    result = kwik_tasks(project, "list", "--older-than", "30m", "--state", "failed")
    assert [row[0] for row in rows_of(result.stdout)] == ["3", "1"]


def test_list_says_when_more_jobs_match_than_it_shows(project: Project, database_url: str):
    arrange(project, database_url, *(job() for _ in range(4)))
    result = kwik_tasks(project, "list", "--limit", "3")
    assert [row[0] for row in rows_of(result.stdout)] == ["4", "3", "2"]
    assert "3 of 4 matching jobs shown, newest first (--limit)." in result.stdout


def test_list_says_so_when_no_job_matches(project: Project, database_url: str):
    arrange(project, database_url, job())
    result = kwik_tasks(project, "list", "--queue", "nowhere")
    assert result.returncode == 0
    assert result.stdout.strip() == "No jobs match (queue nowhere)."


# -- show --------------------------------------------------------------------------------------


def test_show_prints_a_job_with_its_arguments_error_and_traceback(
    project: Project, database_url: str
):
    (failed,) = arrange(
        project,
        database_url,
        job(
            RECEIPT,
            "failed",
            args={"order_id": 42},
            error="ValueError: no such order",
            traceback='Traceback (most recent call last):\n  File "shop.py"\nValueError',
        ),
    )
    result = kwik_tasks(project, "show", str(failed))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"id:         {failed}" in lines
    assert f"task:       {RECEIPT}" in lines
    assert "state:      failed" in lines
    assert 'arguments:  {"order_id": 42}' in lines
    assert "error:      ValueError: no such order" in lines
    traceback = lines[lines.index("traceback:") + 1 :]
    assert traceback == ["Traceback (most recent call last):", '  File "shop.py"', "ValueError"]


def test_show_of_a_job_that_does_not_exist_fails_with_one_line(project: Project, database_url: str):
    arrange(project, database_url)
    result = kwik_tasks(project, "show", "999")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: No job 999: it never existed, or it was deleted (purge, TTL)."
    )


# -- retry -------------------------------------------------------------------------------------


def test_retry_queues_failed_and_cancelled_jobs_again_with_all_their_attempts(
    project: Project, database_url: str
):
    failed, cancelled = arrange(
        project,
        database_url,
        job(RECEIPT, "failed", attempts=3, max_attempts=3, age=HOUR, error="boom"),
        job(RECEIPT, "cancelled", age=HOUR),
    )
    result = kwik_tasks(project, "retry", str(failed), str(cancelled))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Queued 2 jobs to run again."
    rows = read(failed, cancelled)
    for row in rows.values():
        assert row["state"] == "queued"
        assert row["attempts"] == 0
        assert row["finished_at"] is None
        assert row["run_at"] > row["created_at"] + timedelta(minutes=59)  # due now, not then


def test_retry_of_a_job_that_has_not_failed_changes_nothing(project: Project, database_url: str):
    failed, running, succeeded = arrange(
        project, database_url, job(state="failed"), job(state="running"), job(state="succeeded")
    )
    result = kwik_tasks(project, "retry", str(failed), str(running), str(succeeded))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Only failed or cancelled jobs can be retried, and job 2 is running; job 3 is "
        "succeeded: nothing was retried."
    )
    assert read(failed)[failed]["state"] == "failed"


def test_retry_of_a_job_that_does_not_exist_changes_nothing(project: Project, database_url: str):
    (failed,) = arrange(project, database_url, job(state="failed"))
    result = kwik_tasks(project, "retry", str(failed), "77")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: No job 77: nothing was retried."
    assert read(failed)[failed]["state"] == "failed"


def test_retry_by_filters_touches_only_failed_or_cancelled_jobs_that_match(
    project: Project, database_url: str
):
    ids = arrange(
        project,
        database_url,
        job(RECEIPT, "failed"),
        job(NEWSLETTER, "failed", args={"issue": 1}),
        job(RECEIPT, "succeeded"),
        job(RECEIPT, "cancelled"),
    )
    result = kwik_tasks(project, "retry", "--task", RECEIPT)
    assert result.stdout.strip() == "Queued 2 jobs to run again."
    rows = read(*ids)
    assert [rows[i]["state"] for i in ids] == ["queued", "failed", "succeeded", "queued"]


def test_retry_of_a_unique_job_whose_key_is_held_by_an_active_job_changes_nothing(
    project: Project, database_url: str
):
    failed, holder = arrange(
        project,
        database_url,
        {**job(state="failed"), "unique_key": "order-42"},
        {**job(state="queued"), "unique_key": "order-42"},
    )
    result = kwik_tasks(project, "retry", str(failed))
    assert result.returncode == 1
    assert "its key held by another job that is still queued" in result.stderr
    assert "nothing was retried" in result.stderr
    rows = read(failed, holder)
    assert (rows[failed]["state"], rows[holder]["state"]) == ("failed", "queued")


def test_retry_needs_job_ids_or_filters(project: Project, database_url: str):
    arrange(project, database_url, job(state="failed"))
    result = kwik_tasks(project, "retry")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Name the jobs to retry: give job ids, or filters (--queue, --state, --task, "
        "--older-than)."
    )


def test_a_retried_job_runs_again_in_a_worker(project: Project, database_url: str, tmp_path: Path):
    marker = tmp_path / "flaky-ran"
    (flaky,) = arrange(project, database_url, job(FLAKY, args={"marker": str(marker)}))
    with running_worker(project):
        first = wait_for_state(flaky, "failed")
        assert first["error"] == "RuntimeError: first run fails"
        result = kwik_tasks(project, "retry", str(flaky))
        assert result.returncode == 0, result.stderr
        second = wait_for_state(flaky, "succeeded")
    assert second["result"] == "second run"
    assert second["attempts"] == 1


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_stops_unfinished_jobs_and_leaves_the_rest(project: Project, database_url: str):
    ids = arrange(
        project,
        database_url,
        job(state="queued"),
        job(state="retrying"),
        job(state="running"),
        job(state="succeeded"),
        job(NEWSLETTER, "queued", args={"issue": 1}),
    )
    result = kwik_tasks(project, "cancel", "--queue", "default")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Cancelled 3 jobs."
    rows = read(*ids)
    assert [rows[i]["state"] for i in ids] == [
        "cancelled",
        "cancelled",
        "cancelled",
        "succeeded",
        "queued",
    ]
    assert rows[ids[2]]["lease_expires_at"] is None  # its worker interrupts it at its heartbeat
    assert all(rows[i]["finished_at"] is not None for i in ids[:3])


def test_a_cancelled_job_is_never_run(project: Project, database_url: str, tmp_path: Path):
    marker = tmp_path / "flaky-ran"
    cancelled, other = arrange(
        project,
        database_url,
        job(FLAKY, args={"marker": str(marker)}),
        job(RECEIPT, args={"order_id": 7}),
    )
    assert kwik_tasks(project, "cancel", str(cancelled)).returncode == 0
    with running_worker(project):
        wait_for_state(other, "succeeded")
    assert read(cancelled)[cancelled]["state"] == "cancelled"
    assert not marker.exists()


def test_cancel_of_a_finished_job_changes_nothing(project: Project, database_url: str):
    queued, failed = arrange(project, database_url, job(state="queued"), job(state="failed"))
    result = kwik_tasks(project, "cancel", str(queued), str(failed))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Only queued, retrying or running jobs can be cancelled, and job 2 is failed: "
        "nothing was cancelled."
    )
    assert read(queued)[queued]["state"] == "queued"


def test_cancel_with_only_finished_states_is_refused(project: Project, database_url: str):
    arrange(project, database_url, job(state="failed"))
    result = kwik_tasks(project, "cancel", "--state", "failed")
    assert result.returncode == 1
    assert "can be cancelled; --state names none of them" in result.stderr


# -- purge -------------------------------------------------------------------------------------


def test_purge_without_yes_and_without_a_terminal_deletes_nothing(
    project: Project, database_url: str
):
    ids = arrange(project, database_url, job(state="succeeded"), job(state="failed"))
    result = kwik_tasks(project, "purge")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Delete 2 finished jobs (state succeeded/failed/cancelled)? This can't be "
        "undone. Pass --yes to confirm (no terminal to ask)."
    )
    assert set(read(*ids)) == set(ids)


def test_purge_deletes_only_finished_jobs_matching_the_filters(project: Project, database_url: str):
    ids = arrange(
        project,
        database_url,
        job(state="succeeded", age=2 * WEEK),
        job(state="failed", age=2 * WEEK),
        job(state="succeeded", age=HOUR),
        job(state="queued", age=2 * WEEK),
        job(state="running", age=2 * WEEK),
        job(NEWSLETTER, "succeeded", age=2 * WEEK, args={"issue": 1}),
    )
    result = kwik_tasks(project, "purge", "--older-than", "1w", "--queue", "default", "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Deleted 2 jobs."
    assert sorted(read(*ids)) == [ids[2], ids[3], ids[4], ids[5]]


def test_purge_of_unfinished_states_is_refused(project: Project, database_url: str):
    (queued,) = arrange(project, database_url, job(state="queued"))
    result = kwik_tasks(project, "purge", "--state", "queued", "--yes")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Only finished (succeeded, failed, cancelled) jobs can be purged."
    )
    assert queued in read(queued)


def test_a_long_purge_deletes_in_batches_and_shows_its_progress(
    project: Project, database_url: str
):
    ids = arrange(project, database_url, *(job(state="succeeded") for _ in range(7)))
    result = kwik_tasks(project, "purge", "--yes", "--batch-size", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Deleted 7 jobs."
    assert "Deleting" in result.stderr
    assert read(*ids) == {}


def test_purge_with_nothing_to_delete_says_so(project: Project, database_url: str):
    arrange(project, database_url, job(state="queued"))
    result = kwik_tasks(project, "purge", "--yes")
    assert result.returncode == 0
    assert "nothing to delete" in result.stdout


@pytest.mark.parametrize(("answer", "deleted"), [("n", False), ("y", True)])
def test_purge_asks_for_confirmation_on_a_terminal(
    project: Project, database_url: str, answer: str, deleted: bool
):
    ids = arrange(project, database_url, job(state="succeeded"))
    result = on_terminal(project, ["tasks", "purge"], answer)
    assert "Delete 1 finished jobs (state succeeded/failed/cancelled)?" in result.stdout
    assert (read(*ids) == {}) is deleted
    assert (result.returncode == 0) is deleted


# -- stats -------------------------------------------------------------------------------------


def test_stats_print_depth_per_queue_and_failures_per_task(project: Project, database_url: str):
    arrange(
        project,
        database_url,
        job(RECEIPT, "queued", age=timedelta(minutes=3)),
        job(RECEIPT, "queued", run_in=HOUR),
        job(RECEIPT, "failed", age=timedelta(minutes=1), error="boom"),
        job(NEWSLETTER, "running", args={"issue": 1}),
        job(NEWSLETTER, "succeeded", args={"issue": 2}),
    )
    result = kwik_tasks(project, "stats")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("Jobs: 2 queued, 1 running, 0 retrying, 1 succeeded, 1 failed, 0 cancelled")
    assert lines[1] == "Oldest due job has waited 3m"
    assert lines[2].startswith("Last 5 min: 1 succeeded, 1 failed (")
    queues = {
        line.split()[0]: line.split() for line in lines if line.startswith(("default", "mail"))
    }
    assert queues["default"] == ["default", "1", "1", "0", "3m", "1"]
    assert queues["mail"] == ["mail", "0", "0", "1", "-", "0"]
    tasks = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("proj.")}
    assert tasks[RECEIPT] == ["2", "0", "0", "0", "1", "1"]
    assert tasks[NEWSLETTER] == ["0", "1", "0", "1", "0", "0"]


def test_stats_as_json_are_the_endpoints_document(project: Project, database_url: str):
    arrange(project, database_url, job(RECEIPT, "failed"), job(RECEIPT, "queued"))
    result = kwik_tasks(project, "stats", "--json", "--minutes", "2")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["counts"]["failed"] == 1
    assert document["counts"]["queued"] == 1
    assert document["throughput"]["minutes"] == 2
    assert len(document["throughput"]["per_minute"]) == 2
    assert [task["name"] for task in document["tasks"]] == [RECEIPT]


# -- helpers -----------------------------------------------------------------------------------


@contextmanager
def running_worker(project: Project) -> Iterator[subprocess.Popen[str]]:
    """`kwik worker` in the project, stopped with SIGTERM (and waited for) at the end."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    process = subprocess.Popen(
        [str(KWIK_SCRIPT), "worker"],
        cwd=project.root,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def wait_for_state(job_id: int, state: str, timeout: float = 30) -> dict:
    """The job's row once it reaches `state` (the worker runs in another process)."""
    deadline = time.monotonic() + timeout
    while True:
        row = read(job_id)[job_id]
        if row["state"] == state:
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is still {row['state']}, not {state}")
        time.sleep(0.1)


def on_terminal(project: Project, args: list[str], answer: str) -> subprocess.CompletedProcess:
    """Run `kwik *args` with a pseudo-terminal as stdin, answering its prompt with `answer`."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    try:
        process = subprocess.Popen(
            [str(KWIK_SCRIPT), *args],
            cwd=project.root,
            env=environment,
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(leader, f"{answer}\n".encode())
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(follower)
        os.close(leader)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
