"""`kwik worker [--queues a,b] [--concurrency N]`: run background jobs until stopped.

The command prints what it serves, runs a `Worker` until SIGTERM or CONTROL-C, then lets
running jobs finish (TASKS_GRACE_PERIOD) and releases the rest to the queue; a second signal
releases them at once. Job failures are logged to stderr. The tasks app's `commands` module
lists it (with `kwik tasks`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import click

from kwik.cli.errors import CommandError

__all__ = ["parse_queues", "worker"]


def parse_queues(text: str | None) -> list[str] | None:
    """`"mail, default"` -> `["mail", "default"]`; None when not given."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise CommandError(
            f"--queues {text!r} names an empty queue; give names separated by commas, "
            "e.g. --queues mail,default"
        )
    return list(dict.fromkeys(names))


def _log_to_stderr() -> None:
    """Show the queue's log (failures, rescues, shutdown) unless the project configured it."""
    logger = logging.getLogger("kwik.tasks")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


async def _serve(queues: list[str] | None, concurrency: int | None, batch: int | None) -> None:
    from kwik.contrib.tasks.worker import Worker
    from kwik.db import database
    from kwik.db.urls import masked

    db = database()
    try:
        runner = Worker(queues=queues, concurrency=concurrency, batch_size=batch)
        loop = asyncio.get_running_loop()

        def on_signal(name: str) -> None:
            if runner.stopping:
                click.echo(f"{name} again: releasing running jobs now", err=True)
                runner.stop(now=True)
            else:
                click.echo(
                    f"{name}: stopping; running jobs get {runner.grace_period:g}s to finish "
                    "(signal again to release them now)",
                    err=True,
                )
                runner.stop()

        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, on_signal, signal.Signals(number).name)

        async def announce() -> None:
            await runner.ready.wait()
            wake = (
                "LISTEN/NOTIFY"
                if runner.listener is not None and runner.listener.connected
                else "polling"
            )
            click.echo(
                f"Worker {runner.id}: queues {', '.join(runner.queues)}; concurrency "
                f"{runner.concurrency}, batches of {runner.batch_size}"
            )
            click.echo(
                f"Database {masked(db.url)} ({db.backend}): new jobs by {wake}, polling every "
                f"{runner.poll_interval:g}s"
            )
            names = sorted(runner.tasks)
            if names:
                click.echo(f"Tasks ({len(names)}): {', '.join(names)}")
            else:
                click.echo(
                    "Warning: no installed app defines tasks (in its tasks module); jobs "
                    "would fail as unknown",
                    err=True,
                )
            click.echo("Ready. Stop with CONTROL-C or SIGTERM.")

        announcing = loop.create_task(announce())
        try:
            stats = await runner.run()
        finally:
            announcing.cancel()
        click.echo(
            f"Stopped: {stats.succeeded} succeeded, {stats.failed} failed, {stats.retried} to "
            f"retry, {stats.released} released, {stats.rescued} rescued from other workers"
        )
    finally:
        await db.dispose()


@click.command()
@click.option(
    "--queues",
    "-q",
    metavar="A,B",
    help="Queues to take jobs from, in turn (default: TASKS_QUEUES).",
)
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(min=1),
    help="Jobs to run at once (default: TASKS_CONCURRENCY).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Jobs claimed per query at most (default: TASKS_BATCH_SIZE).",
)
def worker(queues: str | None, concurrency: int | None, batch_size: int | None) -> None:
    """Run background jobs until stopped (SIGTERM or CONTROL-C)."""
    import kwik

    kwik.setup()
    chosen = parse_queues(queues)
    _log_to_stderr()
    asyncio.run(_serve(chosen, concurrency, batch_size))
