"""A PostgreSQL server driven from a benchmark's synchronous harness: databases, queries, its CPU.

The harness starts processes and waits for them, so it talks to PostgreSQL through asyncpg on a
private event loop. The task benchmark runs every measurement in a database of its own, copied
from a template; the database benchmark seeds one table; both count the cluster's CPU.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psutil

from benchmarks.harness.noise import CpuCounter

__all__ = ["Connection", "Server", "plain_dsn", "with_database"]

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def plain_dsn(url: str) -> str:
    """`postgresql+asyncpg://...` (SQLAlchemy's spelling) as the `postgresql://` libpq reads."""
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme.startswith(("postgresql", "postgres")) else parts.scheme
    return urlunsplit((scheme, *parts[1:]))


def with_database(url: str, name: str) -> str:
    """`url` with its database part replaced by `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class Connection:
    """One asyncpg connection driven from synchronous code.

    Example:
        with Connection(dsn) as db:
            db.value("SELECT count(*) FROM pgqueuer")
    """

    def __init__(self, dsn: str) -> None:
        self.runner = asyncio.Runner()
        try:
            self.connection: asyncpg.Connection = self.runner.run(asyncpg.connect(dsn))
        except BaseException:
            self.runner.close()
            raise

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def value(self, sql: str, *args: Any) -> Any:
        return self.runner.run(self.connection.fetchval(sql, *args))

    def execute(self, sql: str) -> None:
        self.runner.run(self.connection.execute(sql))

    def clock(self) -> float:
        """The server's clock, in seconds: measurements are timed by the database."""
        return float(self.value("SELECT extract(epoch FROM clock_timestamp())"))

    def close(self) -> None:
        try:
            self.runner.run(self.connection.close())
        finally:
            self.runner.close()


class Server:
    """The PostgreSQL server named by `url`: makes and drops the benchmark's databases."""

    def __init__(self, url: str = DEFAULT_SERVER) -> None:
        self.url = plain_dsn(url)
        self.maintenance = with_database(self.url, "postgres")

    def check(self) -> str:
        """The server's version; raises OSError or asyncpg's error when it can't be reached."""
        with Connection(self.maintenance) as db:
            return str(db.value("SHOW server_version"))

    def create(self, name: str, *, template: str | None = None) -> str:
        """A new database `name` (dropped first if a previous run left it); returns its DSN."""
        self.drop(name)
        copy = f' TEMPLATE "{template}"' if template else ""
        with Connection(self.maintenance) as db:
            db.execute(f'CREATE DATABASE "{name}"{copy}')
        return with_database(self.url, name)

    def drop(self, name: str) -> None:
        with Connection(self.maintenance) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def cpu_counter(self) -> CpuCounter:
        """CPU seconds the whole cluster has used (postmaster, live and exited backends).

        The postmaster reaps every backend, so its children's times hold the CPU of backends
        that have exited; live ones are read directly. A server this process can't see (another
        machine, a container) counts as 0, and its work then shows as noise.
        """
        with Connection(self.maintenance) as db:
            backend = int(db.value("SELECT pg_backend_pid()"))
            try:
                postmaster = psutil.Process(backend).parent()
            except psutil.Error:
                postmaster = None

        def counter() -> float:
            if postmaster is None:
                return 0.0
            try:
                times = postmaster.cpu_times()
                total = times.user + times.system + times.children_user + times.children_system
                children = postmaster.children()
            except psutil.Error:
                return 0.0
            for child in children:
                try:
                    child_times = child.cpu_times()
                except psutil.Error:
                    continue
                total += child_times.user + child_times.system
            return total

        return counter
