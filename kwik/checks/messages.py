"""Check messages: what a system check reports, how severe it is, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

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
]

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50
LEVELS = {"DEBUG": DEBUG, "INFO": INFO, "WARNING": WARNING, "ERROR": ERROR, "CRITICAL": CRITICAL}


@dataclass(frozen=True)
class CheckMessage:
    """One finding. `id` is stable (`kwik.E001`) so projects can silence or grep for it."""

    level: int
    msg: str
    id: str
    hint: str | None = None
    obj: str | None = None

    @property
    def is_serious(self) -> bool:
        return self.level >= ERROR

    def __str__(self) -> str:
        where = f"{self.obj}: " if self.obj else ""
        text = f"{where}({self.id}) {self.msg}"
        return f"{text}\n\tHINT: {self.hint}" if self.hint else text


def Error(msg: str, *, id: str, hint: str | None = None, obj: str | None = None) -> CheckMessage:
    return CheckMessage(ERROR, msg, id, hint, obj)


def Warning(msg: str, *, id: str, hint: str | None = None, obj: str | None = None) -> CheckMessage:
    return CheckMessage(WARNING, msg, id, hint, obj)


def Info(msg: str, *, id: str, hint: str | None = None, obj: str | None = None) -> CheckMessage:
    return CheckMessage(INFO, msg, id, hint, obj)
