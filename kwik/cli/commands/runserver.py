"""`kwik runserver`: the development server (uvicorn), checked first, reloading on changes.

With the reloader on, uvicorn's supervisor watches the project with watchfiles and restarts a
worker process that builds the application afresh, so edits to routes, settings and templates are
picked up without restarting the command.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

import kwik
from kwik.checks import format_report, run_checks
from kwik.cli.errors import CommandError
from kwik.conf import ENVIRONMENT_VARIABLE, settings
from kwik.conf.locate import settings_root

__all__ = [
    "RELOAD_PATTERNS",
    "RUNSERVER_VARIABLE",
    "parse_address",
    "project_root",
    "runserver",
    "watched_folders",
]

RUNSERVER_VARIABLE = "KWIK_RUNSERVER"
"""Set to "1" in the environment of the server processes `runserver` starts, so apps can tell
the development server from production (the task queue runs a worker in it)."""

DEFAULT_ADDRESS = ("127.0.0.1", 8000)
RELOAD_PATTERNS = ["*.py", "*.html", "*.jinja", "*.jinja2", "*.j2", "*.txt", "*.toml"]
_ADDRESS = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):)?(?P<port>\d+)$")


def parse_address(text: str | None) -> tuple[str, int]:
    """`8000`, `0.0.0.0:8000`, `localhost:9000` or `[::1]:8000` as (host, port)."""
    if not text:
        return DEFAULT_ADDRESS
    match = _ADDRESS.match(text)
    if not match:
        raise CommandError(
            f"{text!r} is not an address: use PORT, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:8000"
        )
    port = int(match["port"])
    if not 1 <= port <= 65535:
        raise CommandError(f"Port {port} is out of range: use a number from 1 to 65535")
    host = (match["host"] or DEFAULT_ADDRESS[0]).strip("[]")
    return host, port


def project_root() -> Path:
    """The folder the settings module's top package sits in (what `sys.path` needs)."""
    return settings_root(settings.module)


def watched_folders(root: Path) -> list[Path]:
    """The project folder, plus app and template folders of the project's that live elsewhere.

    Installed third-party packages (under the interpreter's prefix) are not watched.
    """
    from kwik.apps import apps

    installed = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    candidates = [config.path.resolve() for config in apps.get_app_configs()]
    candidates += [settings.core.resolve(folder).resolve() for folder in settings.TEMPLATE_DIRS]
    folders = [root]
    for folder in candidates:
        inside = [f for f in (*folders, *installed) if folder.is_relative_to(f)]
        if not inside and folder.is_dir():
            folders.append(folder)
    return folders


def ignored_folders(root: Path) -> list[Path]:
    """Folders in the project not worth watching: virtual environments and hidden folders."""
    return [
        folder
        for folder in root.iterdir()
        if folder.is_dir()
        and (
            folder.name.startswith(".")
            or folder.name == "node_modules"
            or (folder / "pyvenv.cfg").exists()
        )
    ]


@click.command()
@click.argument("address", required=False, metavar="[[ADDR:]PORT]")
@click.option("--noreload", is_flag=True, help="Don't restart the server when files change.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (turns the reloader off when above 1).",
)
@click.option("--skip-checks", is_flag=True, help="Start even when system checks find errors.")
def runserver(address: str | None, noreload: bool, workers: int, skip_checks: bool) -> None:
    """Serve the project for development at [ADDR:]PORT (default 127.0.0.1:8000)."""
    import uvicorn

    host, port = parse_address(address)
    kwik.setup()
    if not skip_checks:
        found = run_checks()
        if any(message.is_serious for message in found):
            click.echo(format_report(found), err=True)
            raise CommandError("System checks found errors; fix them, or pass --skip-checks")
        click.echo(format_report(found))
    root = project_root()
    reload = not noreload and workers == 1
    folders = watched_folders(root) if reload else []
    if settings.module:
        os.environ[ENVIRONMENT_VARIABLE] = settings.module  # the reloaded workers load the same
    os.environ[RUNSERVER_VARIABLE] = "1"
    target = settings.ASGI_APPLICATION or "kwik.asgi:get_application"
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"kwik {kwik.__version__} with settings {settings.module!r}")
    click.echo(f"Serving at http://{shown_host}:{port}/ - quit with CONTROL-C.")
    if reload:
        click.echo(f"Reloading on changes under {', '.join(map(str, folders))}")
    elif not noreload:
        click.echo("The reloader is off because --workers is above 1.")
    uvicorn.run(
        target,
        factory=settings.ASGI_APPLICATION is None,
        host=host,
        port=port,
        reload=reload,
        reload_dirs=[str(folder) for folder in folders] or None,
        reload_includes=RELOAD_PATTERNS if reload else None,
        reload_excludes=[str(folder) for folder in ignored_folders(root)] if reload else None,
        workers=workers,
        app_dir=str(root),
        log_level="info",
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 before kwik sees the request, so a
        # local client could pick its address; TRUSTED_PROXIES (kwik.contrib.security) decides.
        proxy_headers=False,
    )
