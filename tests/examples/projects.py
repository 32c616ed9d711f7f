"""What every example test does as a user would: make a project with `kwik startproject`, copy
an example app into it, install it, run the example's own tests, and serve the project with
`kwik runserver` on a free port."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests import support
from tests.support import run_kwik, run_python, wait_for

__all__ = ["example_project", "run_own_tests", "runserver"]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_APPS = "INSTALLED_APPS: list[str] = []"


def example_project(
    folder: Path,
    example: str,
    app: str,
    *,
    installed: Sequence[str],
    settings: str = "",
    migrate: bool = False,
) -> Path:
    """A new project `shop` in `folder` with `examples/<example>` copied in as `app`,
    INSTALLED_APPS set to `installed`, `settings` appended; migrated when `migrate`."""
    project = folder / "shop"
    made = run_kwik("startproject", "shop", str(project), cwd=folder)
    assert made.returncode == 0, made.stderr
    shutil.copytree(ROOT / "examples" / example, project / app)
    path = project / "shop" / "settings.py"
    text = path.read_text()
    assert TEMPLATE_APPS in text
    path.write_text(
        text.replace(TEMPLATE_APPS, f"INSTALLED_APPS = {list(installed)!r}\n{settings}")
    )
    for command in (["makemigrations"], ["migrate"]) if migrate else ():
        result = run_kwik(*command, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
    return project


def run_own_tests(project: Path, app: str) -> subprocess.CompletedProcess[str]:
    """The example's own tests, run with pytest in the project as its developers would."""
    return run_python("-m", "pytest", "-q", "-p", "no:cacheprovider", app, cwd=project)


@contextmanager
def runserver(project: Path) -> Iterator[str]:
    """`kwik runserver` on a free port, up once OPENAPI_URL answers; yields its base URL."""
    with support.runserver(project, "--noreload") as server:
        wait_for(server.url + "/openapi.json", process=server.process)
        yield server.url
