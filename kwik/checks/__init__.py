"""System checks: `kwik check`, and the gate runserver and migrate pass before starting."""

from __future__ import annotations

from kwik.checks.messages import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    LEVELS,
    WARNING,
    CheckMessage,
    Error,
    Info,
    Warning,
)
from kwik.checks.runner import format_report, run_checks

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "LEVELS",
    "WARNING",
    "CheckMessage",
    "Error",
    "Info",
    "Warning",
    "format_report",
    "run_checks",
]
