"""Which tasks exist: the `Task` objects in the `tasks` modules of installed apps.

A worker turns a job's task name into the function to run here. Tasks are found the way app
commands are: a `tasks` list in the module when it has one, otherwise every task the module
holds (defined there or imported into it, so a big app may keep tasks in several modules and
import them into `tasks.py`). Nothing is registered as a side effect of defining a task.

The result is computed once per loaded project and cached; `kwik.bootstrap.reset()` (a new
project in the same process) makes it look again.
"""

from __future__ import annotations

from typing import Any

from kwik.contrib.tasks.errors import TaskNameClash, UnknownTask
from kwik.contrib.tasks.task import Task

__all__ = ["TaskNameClash", "get_task", "is_registered", "registered_tasks"]

_cache: tuple[tuple[object, ...], dict[str, Task[Any, Any]]] | None = None
"""The loaded app configs the tasks were found in (held, so a new project's configs can't
reuse their ids), and the tasks."""


def registered_tasks() -> dict[str, Task[Any, Any]]:
    """Every installed task by name, in INSTALLED_APPS order.

    Raises:
        TaskNameClash: two different tasks have one name.
        ImproperlyConfigured: an app's tasks module fails to import.
    """
    global _cache
    from kwik.apps import apps

    configs = apps.get_app_configs()
    key = tuple(configs)
    if _cache is not None and _cache[0] == key:
        return _cache[1]
    found: dict[str, Task[Any, Any]] = {}
    where: dict[str, str] = {}
    for config in configs:
        module = config.import_part("tasks")
        if module is None:
            continue
        listed = getattr(module, "tasks", None)
        candidates = listed if isinstance(listed, list | tuple) else list(vars(module).values())
        for task in candidates:
            if not isinstance(task, Task):
                continue
            previous = found.get(task.name)
            if previous is not None and previous is not task:
                raise TaskNameClash(
                    f"Tasks {where[task.name]} and {module.__name__} are both named {task.name!r}",
                    hint="Give one of them another name with @background_task(name=...)",
                )
            found[task.name] = task
            where[task.name] = f"{task.function.__module__}.{task.function.__qualname__}"
    _cache = (key, found)
    return found


def get_task(name: str) -> Task[Any, Any]:
    """The installed task called `name`, or UnknownTask saying where tasks are looked for."""
    task = registered_tasks().get(name)
    if task is None:
        raise UnknownTask(
            f"No installed task is named {name!r}: tasks are found in the tasks modules of "
            "INSTALLED_APPS (was it renamed, or its app removed, after the job was enqueued?)"
        )
    return task


def is_registered(task: Task[Any, Any]) -> bool:
    """True when workers of this project will find `task` under its name."""
    return registered_tasks().get(task.name) is task
