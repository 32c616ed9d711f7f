"""Defining tasks: every mistake in `@background_task` is an error where the task is defined;
tasks are found in installed apps' tasks modules; the settings and the backoff."""

from __future__ import annotations

import random

import pytest

import kwik
from kwik.contrib.tasks import Task, TaskDefinitionError, background_task
from kwik.contrib.tasks.retry import MAX_BACKOFF, retry_delay
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.tasks.conftest import APPS, write_settings


def test_the_decorator_makes_a_task_that_still_runs_the_function_when_called():
    @background_task(retries=2)
    async def double(n: int) -> int:
        return n * 2

    assert isinstance(double, Task)
    assert double.name.endswith(
        "test_the_decorator_makes_a_task_that_still_runs_the_function_when_called.<locals>.double"
    )
    assert double.options.max_attempts == 3


async def test_calling_a_task_runs_it_now():
    @background_task
    async def double(n: int) -> int:
        return n * 2

    assert await double(21) == 42


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"retries": -1}, "retries must be a whole number from 0"),
        ({"retries": 1.5}, "retries must be a whole number"),
        ({"priority": "high"}, "priority must be a whole number"),
        ({"timeout": 0}, "timeout must be seconds above 0"),
        ({"backoff": -1}, "backoff must be seconds"),
        ({"queue": "a,b"}, "queue 'a,b' is not a queue name"),
        ({"queue": ""}, "queue '' is not a queue name"),
        ({"unique": "user_id"}, "unique must be True or a list of parameter names"),
        ({"unique": ["nope"]}, "unique names nope, which is not a parameter"),
        ({"retry_on": [ValueError, "oops"]}, "retry_on lists 'oops', which is not an exception"),
        ({"cron": "every minute"}, "Cron expression 'every minute' has 2 fields"),
        ({"cron": "*/5 * * * *"}, "a periodic task .* n has none"),
        ({"name": ""}, "Task name '' must have 1 to 255 characters"),
    ],
)
def test_wrong_options_are_refused_where_the_task_is_defined(options, message):
    with pytest.raises(TaskDefinitionError, match=message):

        @background_task(**options)
        async def task(n: int) -> None: ...


def test_a_plain_function_is_refused():
    with pytest.raises(TaskDefinitionError, match="needs an `async def` function"):

        @background_task
        def task(n: int) -> None: ...


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("async def task(*items: int) -> None: ...", r"\*items and \*\*items parameters"),
        ("async def task(**options: int) -> None: ...", r"\*options and \*\*options"),
        ("async def task(n: int, /) -> None: ...", "parameter 'n' is positional-only"),
        ("async def task(delay: int) -> None: ...", "parameter 'delay' has the name of an enqueue"),
        ("async def task(lock: Lock) -> None: ...", "its parameters can't be stored as JSON"),
    ],
)
def test_parameters_a_job_cant_store_are_refused(source, message):
    namespace: dict[str, object] = {}
    exec(f"from threading import Lock\n{source}", namespace)

    with pytest.raises(TaskDefinitionError, match=message):
        background_task(namespace["task"])  # type: ignore[arg-type]


def test_equal_jitter_keeps_a_retry_between_half_and_all_of_its_backoff():
    rng = random.Random(7)
    delays = [retry_delay(2.0, 3, rng) for _ in range(200)]  # ceiling 2 * 2**2 = 8 s

    assert min(delays) >= 4.0
    assert max(delays) <= 8.0
    assert len({round(d, 3) for d in delays}) > 100  # spread out, not one value


def test_exponential_backoff_is_capped():
    assert retry_delay(60.0, 20, random.Random(1)) <= MAX_BACKOFF


def test_a_backoff_function_gets_the_retry_number():
    assert retry_delay(lambda retry: retry * 10.0, 3) == 30.0


@pytest.fixture
def loaded(project):
    """A project with the queue and the jobs app (no database needed)."""
    write_settings(project, "sqlite+aiosqlite:///unused.sqlite3")
    kwik.setup("proj.settings")


def test_installed_tasks_are_found_in_the_apps_tasks_modules(loaded):
    from kwik.contrib.tasks import get_task, registered_tasks
    from tests.contrib.tasks.jobs.tasks import add

    assert get_task("tests.contrib.tasks.jobs.tasks.add") is add
    assert "tests.contrib.tasks.jobs.tasks.every_five_minutes" in registered_tasks()


async def test_enqueueing_a_task_no_worker_would_find_is_refused(loaded):
    @background_task
    async def stray(n: int) -> None: ...

    with pytest.raises(TaskDefinitionError, match="is not in the tasks module of an installed app"):
        await stray.enqueue(1)


def test_two_tasks_with_one_name_are_a_check_error(project):
    project.package(
        "clash",
        {
            "tasks.py": """
            from kwik.contrib.tasks import background_task

            @background_task(name="shared")
            async def one() -> None: ...

            @background_task(name="shared")
            async def two() -> None: ...
            """
        },
    )
    project.settings(f"INSTALLED_APPS = {[*APPS, 'clash']!r}\n")
    kwik.setup("proj.settings")
    from kwik.checks import run_checks

    found = [message for message in run_checks() if message.id == "tasks.E001"]

    assert len(found) == 1
    assert "clash.tasks.one and clash.tasks are both named 'shared'" in found[0].msg


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            "TASKS_HEARTBEAT = 40\nTASKS_LEASE = 60\n",
            "TASKS_HEARTBEAT \\(40s\\) must be at most half",
        ),
        ("TASKS_CONCURRENCY = 0\n", "TASKS_CONCURRENCY = 0"),
        ("TASKS_QUEUES = []\n", "name at least one queue"),
        ("TASKS_QUEUES = ['a,b']\n", "'a,b' is not a queue name"),
    ],
)
def test_wrong_settings_stop_start_up_naming_the_setting(project, settings, message):
    project.settings(f"INSTALLED_APPS = {APPS!r}\n{settings}")

    with pytest.raises(ImproperlyConfigured, match=message):
        kwik.setup("proj.settings")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"queue": "a,b"}, "'a,b' is not a queue name"),
        ({"priority": "high"}, "priority must be a whole number"),
        ({"unique_key": "k" * 256}, "unique_key must have 1 to 255 characters"),
    ],
)
def test_wrong_per_enqueue_options_are_refused(options, message):
    @background_task
    async def task(n: int) -> None: ...

    with pytest.raises(ValueError, match=message):
        task.using(**options)
