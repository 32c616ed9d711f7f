"""`import kwik` is cheap: it loads no project, no web stack and no test tools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter, so modules this test session imported don't count."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, **env},
    )


def test_import_kwik_loads_neither_test_tools_nor_the_web_stack(tmp_path: Path):
    heavy = ("pytest", "_pytest", "testcontainers", "starlette")
    code = (
        "import sys, kwik\n"
        f"print(sorted(m for m in sys.modules if m.partition('.')[0] in {heavy!r}))\n"
    )

    result = run_python(code, tmp_path)

    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "[]", "")


def test_import_kwik_does_not_load_the_project_settings(tmp_path: Path):
    result = run_python(
        "import kwik; from kwik.conf import settings; print(settings.configured)",
        tmp_path,
        KWIK_SETTINGS_MODULE="missing.settings",
    )

    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "False", "")
