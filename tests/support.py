"""Helpers the tests share: small projects on disk, the real `kwik` script, servers."""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import uvicorn
from starlette.types import ASGIApp

KWIK_SCRIPT = Path(sys.executable).parent / "kwik"


class Project:
    """Writes packages and settings modules under one folder, importable from it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str = "") -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        importlib.invalidate_caches()
        return path

    def package(self, name: str, files: dict[str, str] | None = None) -> Path:
        """A package `name` (dotted allowed) with `files` ({'routes.py': '...'})."""
        folder = self.root.joinpath(*name.split("."))
        for depth in range(1, len(name.split(".")) + 1):
            init = self.root.joinpath(*name.split(".")[:depth], "__init__.py")
            if not init.exists():
                self.write(str(init.relative_to(self.root)))
        for relative, text in (files or {}).items():
            self.write(str((folder / relative).relative_to(self.root)), text)
        return folder

    def settings(self, text: str = "", *, module: str = "proj.settings", debug: bool = True) -> str:
        """A settings module (DEBUG on unless told otherwise, so no SECRET_KEY is needed)."""
        package, _, name = module.rpartition(".")
        body = f"DEBUG = {debug}\n" + textwrap.dedent(text).lstrip("\n")
        self.package(package, {f"{name}.py": body})
        return module

    def pyproject(self, settings_module: str, folder: str = ".") -> Path:
        return self.write(
            f"{folder}/pyproject.toml",
            f'[project]\nname = "x"\n\n[tool.kwik]\nsettings = "{settings_module}"\n',
        )


def run_kwik(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """The installed `kwik` script, as a user runs it, in a `clean_environment()`.

    `input` is written to its stdin (a pipe, so not a terminal); without it, stdin is inherited.
    """
    environment = clean_environment()
    environment.update(env or {})
    return subprocess.run(
        [str(KWIK_SCRIPT), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        input=input,
    )


def clean_environment() -> dict[str, str]:
    """This environment without KWIK_* (or this pytest run's PYTEST_*) variables."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KWIK_", "PYTEST_"))
    }


def run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """This virtualenv's python, as a user runs `python manage.py ...` or `python -m pytest`."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    output: str = ""

    def stop(self) -> None:
        """SIGTERM the whole process group; SIGKILL it if it is still there after a while."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.output, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.output, _ = self.process.communicate(timeout=15)


@contextmanager
def runserver(project: Path, *options: str) -> Iterator[Server]:
    """`kwik runserver 127.0.0.1:<free port> OPTIONS` in `project`, stopped however a test ends."""
    port = free_port()
    process = subprocess.Popen(
        [str(KWIK_SCRIPT), "runserver", f"127.0.0.1:{port}", *options],
        cwd=project,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    url: str, *, timeout: float = 20, process: subprocess.Popen[str] | None = None
) -> httpx2.Response:
    """GET `url` until the server answers (or the process serving it dies)."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"server exited with {process.returncode}:\n{output}")
        try:
            return httpx2.get(url, timeout=2)
        except httpx2.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve `app` with uvicorn on a real socket in a thread; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def websocket_first_message(url: str, *, origin: str, cookies: dict[str, str]) -> Any:
    """Open a real WebSocket to `url` (a `serve`d app) as a browser on `origin` sending
    `cookies`, and return its first message as JSON. A refusal raises what the client raises:
    `websockets.exceptions.InvalidStatus` for an HTTP denial (its `.response`), or
    `ConnectionClosed` for a close (its `.rcvd.code`)."""
    from websockets.sync.client import connect

    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    with connect(
        url.replace("http", "ws", 1),
        origin=origin,  # type: ignore[arg-type]
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    ) as websocket:
        return json.loads(websocket.recv(timeout=10))


class MigratedDatabases:
    """Test databases migrated once, then emptied before each later test: a test module's tests
    share one database (per backend) instead of migrating a new one each.

    `prepare(url)` runs in the test's project: the first time for `url` and the installed apps,
    it migrates (and creates the tables of apps without migrations); after that it deletes the
    rows of the installed apps' tables, but those named in `keep` (rows migrations made, such as
    auth's permissions).
    """

    def __init__(self, keep: Collection[str] = ("auth_permission",)) -> None:
        self._migrated: set[tuple[str, frozenset[str]]] = set()
        self._keep = frozenset(keep)

    async def prepare(self, url: str) -> None:
        from sqlalchemy import delete

        from kwik.apps import apps
        from kwik.db import Model, database
        from kwik.migrations import MigrationGraph, migrate_to_heads

        installed = frozenset(config.label for config in apps.get_app_configs())
        async with database().engine.connect() as connection:
            if (url, installed) not in self._migrated:
                await migrate_to_heads(connection)
                unmigrated = set(MigrationGraph.load().unmigrated())
                tables = [
                    table
                    for table in Model.metadata.sorted_tables
                    if table.info.get("app_label") in unmigrated
                ]
                await connection.run_sync(Model.metadata.create_all, tables=tables)
                self._migrated.add((url, installed))
            else:
                for table in reversed(Model.metadata.sorted_tables):
                    if table.info.get("app_label") in installed and table.name not in self._keep:
                        await connection.execute(delete(table))
            await connection.commit()

    def forget(self, url: str) -> None:
        """`url`'s database is gone (dropped after its module): a new one is migrated again."""
        self._migrated = {done for done in self._migrated if done[0] != url}
