"""What every example test does as a user would: make a project with `kwik startproject`, copy
an example app into it, install it, run the example's own tests, and serve the project with
`kwik runserver` on a free port."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.support import KWIK_SCRIPT, free_port, run_kwik, wait_for

__all__ = ["example_project", "run_own_tests", "runserver"]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_APPS = "INSTALLED_APPS: list[str] = []"


def _environment() -> dict[str, str]:
    """The environment without the suite's KWIK_* variables: the project's own settings rule."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}


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
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", app],
        cwd=project,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextmanager
def runserver(project: Path) -> Iterator[str]:
    """`kwik runserver` on a free port, up once OPENAPI_URL answers; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(KWIK_SCRIPT), "runserver", str(port), "--noreload"],
        cwd=project,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/openapi.json", process=server)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
