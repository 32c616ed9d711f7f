"""How kwik sees the task queue: its label, settings, checks, and the worker `runserver` runs.

With TASKS_RUN_IN_RUNSERVER on (the default), `kwik runserver` starts a worker inside each server
process when the application starts and stops it, gracefully, when the application stops, so
jobs run in development without a second terminal. Other servers (uvicorn in production, the
test client) never start one: run `kwik worker` processes there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kwik.apps import AppConfig
from kwik.contrib.tasks.settings import TasksSettings

if TYPE_CHECKING:
    from kwik.checks.messages import CheckMessage
    from kwik.contrib.tasks.embedded import EmbeddedWorker

__all__ = ["TasksConfig"]


class TasksConfig(AppConfig):
    """Database-backed background tasks: jobs, workers, retries, schedules (docs/tasks.md)."""

    name = "kwik.contrib.tasks"
    label = "tasks"
    verbose_name = "Background tasks"
    settings_model = TasksSettings

    _embedded: EmbeddedWorker | None = None

    async def startup(self) -> None:
        """Under `kwik runserver`, start a worker in this process (TASKS_RUN_IN_RUNSERVER)."""
        from kwik.contrib.tasks.embedded import EmbeddedWorker, wanted

        if wanted():
            self._embedded = EmbeddedWorker()
            await self._embedded.start()

    async def shutdown(self) -> None:
        """Stop the in-process worker: running jobs finish or go back to the queue."""
        if self._embedded is not None:
            embedded, self._embedded = self._embedded, None
            await embedded.stop()

    def check(self, *, deploy: bool = False) -> list[CheckMessage]:
        """tasks.E001: two tasks with one name, so a worker can't tell which a job means."""
        from kwik.checks import Error
        from kwik.contrib.tasks.registry import TaskNameClash, registered_tasks
        from kwik.exceptions import ImproperlyConfigured

        try:
            registered_tasks()
        except TaskNameClash as exc:
            return [Error(str(exc), id="tasks.E001", hint=exc.hint, obj=self.label)]
        except ImproperlyConfigured:
            return []  # a tasks module that fails to import is kwik.E001 already
        return []
