"""The command runner: `kwik`, a project's `manage.py`, and `call_command` for code."""

from __future__ import annotations

from kwik.cli.call import call_command
from kwik.cli.errors import CommandError
from kwik.cli.main import cli, main

__all__ = ["CommandError", "call_command", "cli", "main"]
