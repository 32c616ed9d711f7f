"""`Worker`: claims due jobs, runs them with bounded concurrency, records how they ended.

One worker is one asyncio loop doing five things at once:

- **claiming**: up to TASKS_BATCH_SIZE jobs per statement, from its queues in turn, whenever at
  least half a batch of its TASKS_CONCURRENCY slots is free. When its queues run dry it waits
  for a NOTIFY (PostgreSQL) or TASKS_POLL_INTERVAL, whichever comes first;
- **running** each job as an asyncio task, within the task's timeout (runner.py);
- **recording** outcomes in batches, one UPDATE for all the runs that finished while the last
  one was written (completion.py). A job's slot is free as soon as it returns;
- **heartbeats** every TASKS_HEARTBEAT seconds, renewing the leases of its jobs and noticing
  the ones cancelled meanwhile, which it interrupts (leases.py);
- **maintenance**: rescuing jobs whose worker died, deleting expired results, reconnecting the
  LISTEN connection, and enqueueing due runs of periodic tasks (schedules.py).

`stop()` (the `kwik worker` command calls it on SIGTERM and SIGINT) stops the claiming, gives
running jobs TASKS_GRACE_PERIOD to finish, then interrupts the rest and releases them to the
queue with their attempt given back. Nothing a job does stops the worker.

On SQLite one worker process is the supported shape: it polls, and its writes take turns with
the application's for SQLite's single write lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import random
import secrets
import socket
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kwik.contrib.tasks.claim import ClaimedJob, claim
from kwik.contrib.tasks.cleanup import delete_expired
from kwik.contrib.tasks.completion import Outcome, record
from kwik.contrib.tasks.connections import Dedicated
from kwik.contrib.tasks.errors import TasksError
from kwik.contrib.tasks.leases import heartbeat, release, rescue_expired
from kwik.contrib.tasks.notify import Listener
from kwik.contrib.tasks.registry import registered_tasks
from kwik.contrib.tasks.runner import run_job
from kwik.contrib.tasks.schedules import ScheduleKeeper
from kwik.contrib.tasks.states import JobState
from kwik.contrib.tasks.stats import WorkerStats
from kwik.contrib.tasks.task import Task
from kwik.db.database import database, sessions_bound
from kwik.db.errors import DatabaseUnavailable
from kwik.db.types import utcnow
from kwik.exceptions import ImproperlyConfigured

__all__ = ["Worker", "WorkerStats"]

logger = logging.getLogger("kwik.tasks")

CLEANUP_EVERY = 60.0
"""Seconds between two deletions of expired results by one worker."""
RETRY_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
"""Seconds a worker waits after a database error, growing while errors go on."""
_DATABASE_ERRORS = (DBAPIError, OSError, DatabaseUnavailable, PoolTimeout)
"""What a worker waits out and tries again: the database gone, restarting, or too busy."""


class Worker:
    """Runs jobs of some queues until stopped; settings give every option not passed.

    Example:
        worker = Worker(queues=["mail"], concurrency=50)
        await worker.run()  # until worker.stop()

        await Worker().drain()  # in a script or test: run what is due, then return
    """

    def __init__(
        self,
        *,
        queues: Sequence[str] | None = None,
        concurrency: int | None = None,
        batch_size: int | None = None,
        poll_interval: float | None = None,
        lease: float | None = None,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        from kwik.conf import settings

        try:
            configured = settings.group("tasks")
        except (LookupError, KeyError) as exc:
            raise ImproperlyConfigured(
                "The task queue isn't installed: add 'kwik.contrib.tasks' to INSTALLED_APPS"
            ) from exc
        self.queues = list(queues or configured.TASKS_QUEUES)
        if not self.queues:
            raise ValueError("a worker needs at least one queue")
        self.concurrency = concurrency or configured.TASKS_CONCURRENCY
        self.batch_size = min(batch_size or configured.TASKS_BATCH_SIZE, self.concurrency)
        self.poll_interval = poll_interval or configured.TASKS_POLL_INTERVAL
        self.lease = lease or configured.TASKS_LEASE
        self.heartbeat_interval = heartbeat_interval or configured.TASKS_HEARTBEAT
        self.grace_period = configured.TASKS_GRACE_PERIOD if grace_period is None else grace_period
        self.result_ttl = configured.TASKS_RESULT_TTL
        self.synchronous_commit = configured.TASKS_SYNCHRONOUS_COMMIT
        self.id = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"
        self.clock = clock
        self.stats = WorkerStats()
        self.listener: Listener | None = None
        self._refill = max(1, self.batch_size // 2)
        self._backlog_cap = 20 * self.batch_size
        self._running: dict[int, tuple[asyncio.Task[None], ClaimedJob]] = {}
        self._interrupting: set[int] = set()
        self._releasing: set[int] = set()
        self._outcomes: list[Outcome] = []
        self._flushing: list[Outcome] = []
        self._stopping = False
        self._started = False
        self.ready = asyncio.Event()
        """Set once the worker has checked its tables and starts claiming."""
        self._wake = asyncio.Event()
        self._stop_now = asyncio.Event()
        self._has_outcomes = asyncio.Event()
        self._want_slots = False
        self._closing = False
        self._last_cleanup: float | None = None

    def __repr__(self) -> str:
        return f"<Worker {self.id} queues={','.join(self.queues)}>"

    # Public --------------------------------------------------------------------------------

    async def run(self) -> WorkerStats:
        """Run jobs until `stop()`; then finish or release the running ones and return."""
        return await self._serve(drain=False)

    async def drain(self) -> WorkerStats:
        """Run jobs until none of the worker's queues has a job due, retrying or running here.

        It first enqueues the due runs of periodic tasks (once, as `run()` would). Jobs
        scheduled for later (`delay=`, `run_at=`) are left for later; retries are waited for.
        """
        return await self._serve(drain=True)

    @property
    def stopping(self) -> bool:
        """True once `stop()` was called (or the worker is shutting down)."""
        return self._stopping

    def stop(self, *, now: bool = False) -> None:
        """Stop claiming; running jobs get TASKS_GRACE_PERIOD (none with `now`) to finish."""
        self._stopping = True
        if now:
            self._stop_now.set()
        self._wake.set()

    # The loops -----------------------------------------------------------------------------

    async def _serve(self, *, drain: bool) -> WorkerStats:
        if self._started:
            raise RuntimeError("a Worker runs once; make another to run again")
        self._started = True
        if sessions_bound():
            raise ImproperlyConfigured(
                "A Worker can't run inside the test's rolled-back transaction (the db fixture): "
                "jobs it would claim aren't committed. Call the task directly (`await task(...)`), "
                "or test the worker against a database of its own"
            )
        self._claimer = Dedicated(synchronous_commit=self.synchronous_commit)
        self._writer = Dedicated(synchronous_commit=self.synchronous_commit)
        self.tasks: dict[str, Task[Any, Any]] = dict(registered_tasks())
        served = set(self.queues)
        self.keeper = ScheduleKeeper(t for t in self.tasks.values() if t.options.queue in served)
        db = database()
        await self._check_tables()
        if db.backend == "postgresql" and not drain:
            self.listener = Listener(db, self.queues, self._wake.set)
            await self.listener.connect()
        helpers = [
            self._spawn(self._flush_loop()),
            self._spawn(self._heartbeat_loop()),
            self._spawn(self._maintenance_loop()),
        ]
        try:
            await self._maintain()
            if drain:
                await self._fire_schedules()
            elif self.keeper.tasks:
                helpers.append(self._spawn(self._schedule_loop()))
            self.ready.set()
            await self._claim_loop(drain=drain)
        finally:
            await self._shut_down(helpers)
        return self.stats

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(work)

    async def _check_tables(self) -> None:
        from kwik.contrib.tasks.models import Job

        try:
            async with self._writer.use() as executor:
                await executor.execute(select(Job.__table__.c.id).limit(1))
        except (ProgrammingError, OperationalError) as exc:
            if "tasks_job" not in str(exc):
                raise
            raise TasksError(
                f"The jobs table doesn't exist in {database()}: run `kwik migrate`"
            ) from None

    async def _claim_loop(self, *, drain: bool) -> None:
        turn = 0
        failures = 0
        while not self._stopping:
            free = self.concurrency - len(self._running)
            if (
                free < min(self._refill, self.concurrency)
                or len(self._outcomes) > self._backlog_cap
            ):
                self._want_slots = True
                self._wake.clear()
                await self._wake.wait()
                continue
            self._wake.clear()
            claimed = 0
            try:
                for step in range(len(self.queues)):
                    ask = min(free - claimed, self.batch_size)
                    if ask <= 0:
                        break
                    queue = self.queues[(turn + step) % len(self.queues)]
                    async with self._claimer.use() as executor:
                        jobs = await claim(
                            executor, queue=queue, limit=ask, worker=self.id, lease=self.lease
                        )
                    for job in jobs:
                        self._start(job)
                    claimed += len(jobs)
                failures = 0
            except _DATABASE_ERRORS as exc:
                failures += 1
                await self._pause_after_error("claiming jobs", exc, failures)
                continue
            turn += 1
            if claimed:
                continue
            if drain:
                if await self._drained():
                    return
                self._want_slots = True
                await self._sleep(await self._drain_pause())
            else:
                await self._sleep(self.poll_interval)

    def _start(self, job: ClaimedJob) -> None:
        task = asyncio.get_running_loop().create_task(run_job(job, self.tasks))
        self._running[job.id] = (task, job)
        task.add_done_callback(functools.partial(self._finished, job))

    def _finished(self, job: ClaimedJob, task: asyncio.Task[Outcome]) -> None:
        """A run ended (a done callback, so it runs even for a task cancelled before it began)."""
        self._running.pop(job.id, None)
        if self._want_slots and self.concurrency - len(self._running) >= self._refill:
            self._want_slots = False
            self._wake.set()
        if task.cancelled():
            if job.id in self._interrupting:
                self._interrupting.discard(job.id)
                self.stats.interrupted += 1
                logger.warning("Job %s (%s) was interrupted: it was cancelled", job.id, job.task)
                return
            if self._stopping:
                self._releasing.add(job.id)
                return
            outcome = Outcome(
                job.id,
                job.attempt,
                JobState.FAILED,
                error="CancelledError: the job cancelled itself",
            )
        else:
            error = task.exception()
            if error is None:
                outcome = task.result()
            else:  # BaseException that isn't an Exception (SystemExit...), or a bug of ours
                logger.error("Job %s (%s) crashed: %r", job.id, job.task, error)
                outcome = Outcome(
                    job.id, job.attempt, JobState.FAILED, error=f"{type(error).__name__}: {error}"
                )
        self._outcomes.append(outcome)
        self._has_outcomes.set()

    async def _flush_loop(self) -> None:
        failures = 0
        while True:
            await self._has_outcomes.wait()
            self._has_outcomes.clear()
            while self._outcomes:
                batch, self._outcomes = self._outcomes, []
                self._flushing = batch
                try:
                    async with self._writer.use() as executor:
                        await record(executor, batch, self.result_ttl)
                    failures = 0
                except _DATABASE_ERRORS as exc:
                    self._outcomes[:0] = batch
                    failures += 1
                    if self._closing and failures > 3:
                        logger.error("Giving up recording %s outcomes: %s", len(batch), exc)
                        self._outcomes.clear()
                        break
                    await self._pause_after_error("recording outcomes", exc, failures)
                    continue
                finally:
                    self._flushing = []
                self.stats.count(batch)
                if self._want_slots and len(self._outcomes) <= self._backlog_cap:
                    self._wake.set()
            if self._closing:
                return

    async def _heartbeat_loop(self) -> None:
        failures = 0
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            running = set(self._running)
            held = running | {o.id for o in self._outcomes} | {o.id for o in self._flushing}
            if not held:
                continue
            try:
                async with self._writer.use() as executor:
                    alive = await heartbeat(executor, held, worker=self.id, lease=self.lease)
                failures = 0
            except _DATABASE_ERRORS as exc:
                failures += 1
                logger.warning("Heartbeat failed (attempt %s): %s", failures, exc)
                continue
            for job_id in running - alive:
                entry = self._running.get(job_id)
                if entry is not None:
                    self._interrupting.add(job_id)
                    entry[0].cancel()

    async def _maintenance_loop(self) -> None:
        while True:
            # Spread the workers' rounds out, so they don't all rescue at the same moment.
            await asyncio.sleep(self.heartbeat_interval * random.uniform(0.75, 1.25))
            await self._maintain()

    async def _maintain(self) -> None:
        """One round: rescue expired leases, delete expired results, reconnect the listener."""
        loop = asyncio.get_running_loop()
        try:
            async with self._writer.use() as executor:
                rescued = await rescue_expired(executor, worker=self.id)
            if rescued:
                self.stats.rescued += len(rescued)
                self._wake.set()
                for job_id, state in rescued:
                    logger.warning(
                        "Job %s was rescued: its worker stopped renewing the lease; now %s",
                        job_id,
                        state.value,
                    )
            due = self._last_cleanup is None or loop.time() - self._last_cleanup > CLEANUP_EVERY
            if self.result_ttl is not None and due:
                self._last_cleanup = loop.time()
                async with self._writer.use() as executor:
                    await delete_expired(executor)
            if self.listener is not None and not self.listener.connected:
                await self.listener.connect()
        except _DATABASE_ERRORS as exc:
            logger.warning("Maintenance failed: %s", exc)

    async def _schedule_loop(self) -> None:
        while True:
            await self._fire_schedules()
            now = self.clock()
            upcoming = self.keeper.next_time(now)
            wait = 60.0 if upcoming is None else (upcoming - now).total_seconds()
            await asyncio.sleep(min(max(wait, 0.05), 60.0))

    async def _fire_schedules(self) -> None:
        if not self.keeper.tasks:
            return
        try:
            made = await self.keeper.fire_due(self.clock())
        except _DATABASE_ERRORS as exc:
            logger.warning("Enqueueing periodic tasks failed: %s", exc)
            return
        for handle in made:
            logger.info("Enqueued periodic task %s as job %s", handle.task, handle.id)

    # Helpers -------------------------------------------------------------------------------

    async def _sleep(self, seconds: float) -> None:
        """Until woken (a NOTIFY, a free slot, stop()) or `seconds` pass."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _pause_after_error(self, doing: str, error: BaseException, failures: int) -> None:
        pause = RETRY_PAUSES[min(failures, len(RETRY_PAUSES)) - 1]
        logger.warning("Database error while %s (%s); trying again in %gs", doing, error, pause)
        await self._sleep(pause)

    async def _drained(self) -> bool:
        """Nothing runs here, nothing waits to be recorded, and no job of the queues retries."""
        if self._running or self._outcomes or self._flushing:
            return False
        return await self._next_retry() is None

    async def _next_retry(self) -> datetime | None:
        from kwik.contrib.tasks.models import Job

        table = Job.__table__
        statement = select(table.c.run_at).where(
            table.c.state == JobState.RETRYING, table.c.queue.in_(self.queues)
        )
        statement = statement.order_by(table.c.run_at).limit(1)
        async with self._writer.use() as executor:
            return (await executor.execute(statement)).scalar()

    async def _drain_pause(self) -> float:
        if self._running or self._outcomes or self._flushing:
            return self.poll_interval
        upcoming = await self._next_retry()
        if upcoming is None:
            return 0.0
        return min(self.poll_interval, max((upcoming - utcnow()).total_seconds(), 0.01))

    async def _shut_down(self, helpers: list[asyncio.Task[None]]) -> None:
        self._stopping = True
        running = [task for task, _ in self._running.values()]
        if running:
            logger.info(
                "Stopping: %s running jobs get up to %gs to finish", len(running), self.grace_period
            )
            all_done = asyncio.ensure_future(asyncio.wait(running))
            stop_now = asyncio.ensure_future(self._stop_now.wait())
            await asyncio.wait(
                [all_done, stop_now],
                timeout=self.grace_period,
                return_when=asyncio.FIRST_COMPLETED,
            )
            all_done.cancel()
            stop_now.cancel()
        leftovers = [task for task, _ in self._running.values()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.wait(leftovers, timeout=5)
        self._closing = True
        self._has_outcomes.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(helpers[0]), timeout=30)  # the flusher
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        self._releasing.update(self._running)  # runs that ignored their cancellation
        if self._releasing:
            await self._release()
        if self.listener is not None:
            await self.listener.close()
        await self._claimer.close()
        await self._writer.close()

    async def _release(self) -> None:
        try:
            async with self._writer.use() as executor:
                released = await release(executor, self._releasing, worker=self.id)
        except _DATABASE_ERRORS as exc:
            logger.error(
                "Couldn't release %s jobs (%s); they are rescued when their lease ends",
                len(self._releasing),
                exc,
            )
            return
        self.stats.released += released
        logger.info("Released %s unfinished jobs back to the queue", released)
