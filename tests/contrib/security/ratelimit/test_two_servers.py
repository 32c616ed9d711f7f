"""Limits hold across processes: two uvicorn servers of one project share their counters in
PostgreSQL (the `database` backend), so a client alternating between them gets the limit once,
not once per server.

GCRA's tolerance: "20/minute" allows a burst of 20, then one more every 3 seconds, so a client
that takes `s` seconds for its requests may get `20 + s // 3`; these take well under that.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

import kwik
from tests.contrib.security.ratelimit.conftest import LIMITED_APPS, prepare, write_settings
from tests.support import free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPOSITORY = Path(__file__).resolve().parents[4]


async def _migrate(url: str) -> None:
    from kwik.db import database

    try:
        await prepare(url)
    finally:
        await database().dispose()


def _serve(root: Path, port: int) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    environment.update(
        KWIK_SETTINGS_MODULE="proj.settings",
        PYTHONPATH=os.pathsep.join([str(root), str(REPOSITORY)]),
    )
    command = [sys.executable, "-m", "uvicorn", "proj.asgi:app", "--port", str(port)]
    return subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--log-level", "warning"],
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_servers_sharing_postgresql_allow_the_limit_once(project, databases):
    url = databases("postgresql")
    write_settings(project, url, LIMITED_APPS, RATE_LIMIT_BACKEND="database")
    project.write(
        "proj/asgi.py", "from kwik.asgi import get_application\napp = get_application()\n"
    )
    kwik.setup("proj.settings")
    asyncio.run(_migrate(url))

    servers = [_serve(project.root, free_port()) for _ in range(2)]
    try:
        bases = [f"http://127.0.0.1:{server.args[5]}" for server in servers]
        for base, server in zip(bases, servers, strict=True):
            wait_for(f"{base}/limited/ping", process=server, timeout=30)

        clients = [httpx2.Client(base_url=base, timeout=10) for base in bases]

        def call(number: int) -> tuple[int, int, str | None]:
            response = clients[number % 2].get("/limited/twenty")
            return number % 2, response.status_code, response.headers.get("retry-after")

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(call, range(60)))
        elapsed = time.monotonic() - started
        for client in clients:
            client.close()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.communicate(timeout=10)  # waits, and closes its output pipe

    allowed = [server for server, status, _ in results if status == 200]
    refused = [(status, retry) for _, status, retry in results if status != 200]
    assert 20 <= len(allowed) <= 20 + int(elapsed // 3), (len(allowed), elapsed)
    assert set(allowed) == {0, 1}  # both servers served some of them
    assert all(status == 429 and retry is not None and int(retry) >= 1 for status, retry in refused)
    assert len(allowed) + len(refused) == 60
