"""`Kwik`: the ASGI application class, a Starlette application with dependency overrides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette

__all__ = ["Kwik"]


class Kwik(Starlette):
    """Starlette, plus `dependency_overrides` for tests.

    Example:
        app.dependency_overrides[get_current_user] = lambda: alice
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
