"""Fixtures of the command-runner tests: `kwik` run in-process, and a freshly rendered project.

`run("check", "--deploy")` is `kwik check --deploy` through `kwik.cli.main`, in this process: it
returns the exit status and what was printed, so a test reads like the terminal session it checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kwik.cli import main
from kwik.conf import ENVIRONMENT_VARIABLE


@dataclass(frozen=True)
class Result:
    """What one `kwik` run did: its exit status and its output."""

    code: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The one-line error the run ended with (asserting it is one line, with no traceback)."""
        lines = self.err.strip().splitlines()
        assert "Traceback" not in self.err, self.err
        assert len(lines) == 1, self.err
        assert lines[0].startswith("Error: "), self.err
        return lines[0].removeprefix("Error: ")

    @property
    def usage_error(self) -> str:
        """The `Error: ...` line of a usage error (click puts the usage lines above it)."""
        assert "Traceback" not in self.err, self.err
        errors = [line for line in self.err.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, self.err
        return errors[0].removeprefix("Error: ")


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def settings_variable_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """`main()` exports --settings as KWIK_SETTINGS_MODULE; no test may leak it to the next."""
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "")
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `kwik ARGS...` in-process; `main()` always exits, so its status is always known."""

    def run_main(*args: str) -> Result:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else int(code is not None), *captured)

    return run_main


@pytest.fixture
def shop(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project made by `kwik startproject shop`, as the working directory."""
    assert run("startproject", "shop").code == 0
    monkeypatch.chdir(tmp_path / "shop")
    importlib.invalidate_caches()
    return tmp_path / "shop"
