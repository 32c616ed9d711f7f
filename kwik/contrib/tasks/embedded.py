"""The worker `kwik runserver` runs inside the server process (TASKS_RUN_IN_RUNSERVER).

In development one terminal is enough: jobs enqueued by the application run in the same process,
on the same event loop: those of TASKS_QUEUES and of every queue an installed task names, with
the settings' concurrency. A reload stops the worker
like SIGTERM stops `kwik worker` (running jobs get a short grace period, then go back to the
queue), and the new server process starts a new one. A failure to start (the jobs table not
migrated yet) is logged and leaves the server serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from kwik.contrib.tasks.worker import Worker

__all__ = ["GRACE_PERIOD", "EmbeddedWorker", "wanted"]

logger = logging.getLogger("kwik.tasks")

GRACE_PERIOD = 5.0
"""Seconds running jobs get when the development server stops or reloads (at most)."""


def wanted() -> bool:
    """True in a process `kwik runserver` started, with TASKS_RUN_IN_RUNSERVER on."""
    from kwik.cli.commands.runserver import RUNSERVER_VARIABLE
    from kwik.conf import settings

    return os.environ.get(RUNSERVER_VARIABLE) == "1" and bool(settings.TASKS_RUN_IN_RUNSERVER)


class EmbeddedWorker:
    """A Worker running as a task of the server's event loop."""

    def __init__(self) -> None:
        from kwik.conf import settings
        from kwik.contrib.tasks.registry import registered_tasks

        # Every queue the installed tasks use, so every job runs in development.
        queues = dict.fromkeys(settings.TASKS_QUEUES)
        queues.update(dict.fromkeys(task.options.queue for task in registered_tasks().values()))
        self.worker = Worker(
            queues=list(queues), grace_period=min(settings.TASKS_GRACE_PERIOD, GRACE_PERIOD)
        )
        self._task: asyncio.Task[object] | None = None

    async def start(self) -> None:
        """Start the worker; return once it claims jobs (or has failed, which is logged)."""
        self._task = asyncio.get_running_loop().create_task(self.worker.run())
        ready = asyncio.ensure_future(self.worker.ready.wait())
        await asyncio.wait([self._task, ready], return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if self._task.done():
            error = self._task.exception()
            logger.error("The in-process worker didn't start: %s", error)
            self._task = None
            return
        logger.info(
            "Running jobs of queues %s in this process (TASKS_RUN_IN_RUNSERVER)",
            ", ".join(self.worker.queues),
        )

    async def stop(self) -> None:
        if self._task is None:
            return
        self.worker.stop()
        with contextlib.suppress(Exception):
            await self._task
        self._task = None
