"""Parameter markers: what a handler's `Annotated[...]` metadata or default value says.

`Depends` is FastAPI's: `session: Annotated[AsyncSession, Depends(get_session)]` or
`session: AsyncSession = Depends(get_session)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Depends"]


class Depends:
    """Mark a parameter as the result of calling `dependency` for the request.

    The dependency may itself take the request, path parameters and other dependencies. A
    generator dependency's code after `yield` runs after the handler, before the response is sent,
    and sees the handler's exception if it raised. Within one request a dependency runs once and
    its result is shared, unless `use_cache=False`.
    """

    __slots__ = ("dependency", "use_cache")

    def __init__(
        self, dependency: Callable[..., Any] | None = None, *, use_cache: bool = True
    ) -> None:
        self.dependency = dependency
        self.use_cache = use_cache

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        return f"Depends({name})"
