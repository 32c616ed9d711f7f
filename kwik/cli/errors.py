"""`CommandError`: how a command stops with a one-line message and a non-zero exit."""

from __future__ import annotations

from kwik.exceptions import KwikError

__all__ = ["CommandError"]


class CommandError(KwikError):
    """Raise it from a command; the runner prints `Error: <message>` and exits with `exit_code`."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
