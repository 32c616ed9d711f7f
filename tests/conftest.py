"""Shared fixtures: every test starts with no project loaded, in its own empty folder.

`project` writes small projects and apps into that folder; `kwik_cli` runs the real `kwik`
console script in a subprocess; `browser` gives a headless Chromium page.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

import kwik.bootstrap

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KWIK_SCRIPT = Path(sys.executable).parent / "kwik"


@pytest.fixture(autouse=True)
def isolated_kwik(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No settings, apps, KWIK_* variables or project modules leak between tests."""
    kwik.bootstrap.reset()
    for name in list(os.environ):
        if name.startswith("KWIK_") and name != "KWIK_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    saved_path = list(sys.path)
    yield
    kwik.bootstrap.reset()
    sys.path[:] = saved_path
    root = str(tmp_path)
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None) or "".join(getattr(module, "__path__", []))
        if location and location.startswith(root):
            del sys.modules[name]
    importlib.invalidate_caches()


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


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.syspath_prepend(str(tmp_path))
    return Project(tmp_path)


def run_kwik(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed `kwik` script, as a user runs it, with a clean KWIK_* environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    environment.update(env or {})
    return subprocess.run(
        [str(KWIK_SCRIPT), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def kwik_cli() -> type[run_kwik]:  # type: ignore[valid-type]
    return run_kwik


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


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Headless Debian chromium through Playwright; required in CI, skipped elsewhere."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs it (scripts/ensure-chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    context = chromium.new_context()  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()
