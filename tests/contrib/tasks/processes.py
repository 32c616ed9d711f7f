"""Running `kwik` commands of the test project in real processes, for the process tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from tests.support import KWIK_SCRIPT, Project


def environment() -> dict[str, str]:
    """Ours without KWIK_*: the project's pyproject.toml names its settings, and the `jobs` test
    app imports from the repository, which the editable install puts on the path."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}


@contextmanager
def process(project: Project, *args: str) -> Iterator[subprocess.Popen[str]]:
    """`kwik ARGS...` running in the project's folder; killed if still running at the end."""
    child = subprocess.Popen(
        [str(KWIK_SCRIPT), *args],
        cwd=project.root,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.communicate(timeout=30)


async def wait_ready(worker: subprocess.Popen[str]) -> str:
    """The worker's start-up output, up to its `Ready.` line."""
    assert worker.stdout is not None
    seen = []
    while True:
        line = await asyncio.to_thread(worker.stdout.readline)
        if not line:
            raise AssertionError(f"the worker exited with {worker.wait()}:\n{''.join(seen)}")
        seen.append(line)
        if line.startswith("Ready."):
            return "".join(seen)


async def terminate(worker: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, then the exit status and the rest of the output."""
    worker.send_signal(signal.SIGTERM)
    return await exited(worker)


async def exited(worker: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit status and the rest of the output, once the process ends by itself."""
    output, _ = await asyncio.to_thread(worker.communicate, timeout=60)
    return worker.returncode, output


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.2)
