"""Changing settings for one test and putting them back, however the test ends."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from types import TracebackType
from typing import Any, TypeVar

from kwik.conf import settings

__all__ = ["SettingsOverrides", "override_settings"]

F = TypeVar("F", bound=Callable[..., Any])


class override_settings:
    """Override settings inside a `with` block or for a decorated (sync or async) function.

    Values are validated as at start-up, so a wrong type fails the test at once.

    The `app` and `client` fixtures build the application before a decorated test starts; to
    change settings the application is built from, use the `settings` fixture in a fixture that
    `app` comes after, or build the application inside the block.

    Example:
        @override_settings(SHOP_PAGE_SIZE=5)
        def test_short_pages(): ...
    """

    def __init__(self, **values: Any) -> None:
        self.values = values
        self._active: list[AbstractContextManager[None]] = []

    def __enter__(self) -> None:
        manager = settings.unwrap().override(**self.values)
        manager.__enter__()
        self._active.append(manager)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._active.pop().__exit__(exc_type, exc, traceback)

    def __call__(self, function: F) -> F:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await function(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return run  # type: ignore[return-value]


class SettingsOverrides:
    """The `settings` pytest fixture: assign a setting to override it until the test ends.

    Example:
        def test_debug_page(settings, client):
            settings.DEBUG = True
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_stack", ExitStack())

    _stack: ExitStack

    def __getattr__(self, name: str) -> Any:
        return getattr(settings, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._stack.enter_context(settings.unwrap().override(**{name: value}))

    def restore(self) -> None:
        """Undo every assignment, newest first."""
        self._stack.close()
