"""Database URLs: which backend, a SQLite path made absolute, and a URL safe to print."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from kwik.exceptions import ImproperlyConfigured

__all__ = ["is_sqlite", "masked", "parse_url"]


def parse_url(url: str, *, base_dir: Path | None = None) -> URL:
    """The SQLAlchemy URL of `url`, a relative SQLite file resolved against `base_dir`.

    Resolving it once here means every process of a project (the server, `migrate`, a worker
    started elsewhere) opens the same file whatever its working directory.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL {url!r} is not a database URL: {exc}") from exc
    database = parsed.database
    if (
        is_sqlite(parsed)
        and database
        and database != ":memory:"
        and not database.startswith("file:")
        and base_dir is not None
        and not Path(database).is_absolute()
    ):
        parsed = parsed.set(database=str(base_dir / database))
    return parsed


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def masked(url: URL | str) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)
