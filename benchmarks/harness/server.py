"""One framework's app served by one uvicorn worker in a child process, pinned to a CPU."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["FRAMEWORKS", "UVICORN_OPTIONS", "Framework", "Server", "ServerError", "free_port"]

ROOT = Path(__file__).resolve().parents[2]

UVICORN_OPTIONS: tuple[str, ...] = (
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--log-level",
    "warning",
    "--lifespan",
    "on",
)
"""The same for every framework: uvloop's loop, httptools' parser, no access log."""


@dataclass(frozen=True)
class Framework:
    name: str
    label: str
    app: str  # the uvicorn import string
    package: str  # the distribution whose version the report names
    prefix: str = ""  # the path the app serves the endpoints under (a version's URL prefix)


FRAMEWORKS: dict[str, Framework] = {
    f.name: f
    for f in (
        Framework("kwik", "Kwik", "benchmarks.apps.kwik_app:app", "kwik"),
        Framework("kwik-secure", "Kwik+security", "benchmarks.apps.kwik_secure_app:app", "kwik"),
        Framework(
            "kwik-secure-full",
            "Kwik+security+CORS+limit",
            "benchmarks.apps.kwik_secure_full_app:app",
            "kwik",
        ),
        Framework(
            "kwik-versioned",
            "Kwik+versions by header",
            "benchmarks.apps.kwik_versioned_app:app",
            "kwik",
        ),
        Framework(
            "kwik-versioned-url",
            "Kwik+versions by URL",
            "benchmarks.apps.kwik_versioned_url_app:app",
            "kwik",
            prefix="/v2",
        ),
        Framework("fastapi", "FastAPI", "benchmarks.apps.fastapi_app:app", "fastapi"),
        Framework("litestar", "Litestar", "benchmarks.apps.litestar_app:app", "litestar"),
        Framework(
            "starlette", "Starlette+Pydantic", "benchmarks.apps.starlette_app:app", "starlette"
        ),
    )
}


class ServerError(RuntimeError):
    """The server did not start, died, or answered wrongly."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin_to(cpu: int | None) -> None:
    """Run the calling process (and the threads and children it starts) on `cpu` only."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


class Server:
    """`uvicorn <app>` on 127.0.0.1, started on enter and stopped on exit.

    The server inherits this process's environment without its KWIK_ variables (a test's
    settings module must not leak into the benchmarked project), plus `environment`.

    Example:
        with Server(FRAMEWORKS["starlette"], log_path=Path("server.log")) as server:
            server.rss()
    """

    host = "127.0.0.1"

    def __init__(
        self,
        framework: Framework,
        *,
        log_path: Path,
        cpu: int | None = None,
        startup_timeout: float = 30.0,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.framework = framework
        self.port = free_port()
        self.log_path = log_path
        self.cpu = cpu
        self.startup_timeout = startup_timeout
        self.environment = dict(environment or {})
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            self.framework.app,
            "--host",
            self.host,
            "--port",
            str(self.port),
            *UVICORN_OPTIONS,
        ]

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not started"
        return self.process.pid

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
        environment["PYTHONUNBUFFERED"] = "1"
        environment.update(self.environment)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: pin_to(self.cpu),  # before exec: every thread inherits it
            )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(
                    f"{self.framework.label} exited with status {self.process.returncode} "
                    f"at start-up:\n{self.log_tail()}"
                )
            connection = http.client.HTTPConnection(self.host, self.port, timeout=2)
            try:
                connection.request("GET", f"{self.framework.prefix}/ping")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        self.stop()
        raise ServerError(
            f"{self.framework.label} did not answer within {self.startup_timeout:.0f}s:\n"
            f"{self.log_tail()}"
        )

    def rss(self) -> int:
        """The server process's resident set size, in bytes."""
        import psutil  # a benchmark requirement; imported here so the report needs none

        return int(psutil.Process(self.pid).memory_info().rss)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown, lifespan included
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:]) or "(the server printed nothing)"
