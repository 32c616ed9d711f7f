"""Where tests find PostgreSQL: KWIK_TEST_DATABASE_URL, else a testcontainers server in Docker.

The databases themselves are made and dropped by `kwik.db.servers` (as `makemigrations` makes
its scratch database): each test run gets a new `kwik_test_<random>` database on that server.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

__all__ = ["TEST_DATABASE_VARIABLE", "PostgresUnavailable", "postgres_container", "test_server_url"]

TEST_DATABASE_VARIABLE = "KWIK_TEST_DATABASE_URL"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL for tests: neither KWIK_TEST_DATABASE_URL nor a Docker engine."""


def test_server_url() -> str | None:
    """The PostgreSQL server tests may use (KWIK_TEST_DATABASE_URL), as an asyncpg URL."""
    value = os.environ.get(TEST_DATABASE_VARIABLE)
    if not value:
        return None
    url = make_url(value)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "asyncpg":
        url = url.set(drivername="postgresql+asyncpg")
    return url.render_as_string(hide_password=False)


@contextmanager
def postgres_container(image: str = "postgres:16-alpine") -> Iterator[str]:
    """A throwaway PostgreSQL server in Docker (testcontainers); yields its asyncpg URL.

    Raises PostgresUnavailable when testcontainers isn't installed or no Docker engine answers.
    """
    try:
        import docker

        with warnings.catch_warnings():
            # testcontainers 4 warns on this import (a module move it hasn't finished); the
            # suite runs with warnings as errors, which would turn "no Docker" into an error.
            warnings.simplefilter("ignore", DeprecationWarning)
            from testcontainers.postgres import PostgresContainer
    except ImportError as exc:
        raise PostgresUnavailable(
            f"set {TEST_DATABASE_VARIABLE} to a PostgreSQL server, or install testcontainers "
            "and run Docker"
        ) from exc
    try:
        docker.from_env().ping()
    except Exception as exc:
        raise PostgresUnavailable(
            f"set {TEST_DATABASE_VARIABLE} to a PostgreSQL server: no Docker engine answers "
            f"for testcontainers ({exc})"
        ) from exc
    with PostgresContainer(image, driver="asyncpg") as container:
        yield container.get_connection_url()
