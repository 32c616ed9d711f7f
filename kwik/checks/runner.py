"""Running every check (kwik's and each app's) and writing the report `kwik check` prints."""

from __future__ import annotations

from collections.abc import Sequence

from kwik.apps import apps
from kwik.checks.builtin import BUILTIN_CHECKS, DEPLOY_CHECKS, NEEDS_WORKING_APPS
from kwik.checks.messages import CRITICAL, ERROR, WARNING, CheckMessage

__all__ = ["format_report", "run_checks"]


def run_checks(*, deploy: bool = False) -> list[CheckMessage]:
    """All findings for the loaded project; `deploy` adds production-readiness checks."""
    found: list[CheckMessage] = []
    for check in [*BUILTIN_CHECKS, *(DEPLOY_CHECKS if deploy else [])]:
        found.extend(check())
    if not any(message.id == "kwik.E001" for message in found):
        for check in NEEDS_WORKING_APPS:
            found.extend(check())
    for config in apps.get_app_configs():
        found.extend(config.check(deploy=deploy))
    return found


_BANDS = [
    ("CRITICALS", CRITICAL, 1 << 30),
    ("ERRORS", ERROR, CRITICAL),
    ("WARNINGS", WARNING, ERROR),
    ("INFOS", 0, WARNING),
]


def format_report(found: Sequence[CheckMessage]) -> str:
    """Django-style report: findings grouped by severity, then a count."""
    if not found:
        return "System check identified no issues."
    lines = ["System check identified some issues:"]
    for heading, low, high in _BANDS:
        group = [m for m in found if low <= m.level < high]
        if group:
            lines += ["", f"{heading}:", *(str(m) for m in group)]
    count = len(found)
    lines += ["", f"System check identified {count} issue{'s' if count != 1 else ''}."]
    return "\n".join(lines)
