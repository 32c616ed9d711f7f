"""Static files from several folders (the project's and each app's), served in development."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

from starlette.staticfiles import StaticFiles

__all__ = ["MultiStaticFiles"]


class MultiStaticFiles(StaticFiles):
    """StaticFiles over an ordered list of folders; the first folder holding a file wins."""

    def __init__(self, directories: Sequence[str | PathLike[str]]) -> None:
        self._directories = list(directories)
        super().__init__(directory=None, check_dir=False)

    def get_directories(
        self,
        directory: str | PathLike[str] | None = None,
        packages: list[str | tuple[str, str]] | None = None,
    ) -> list[str | PathLike[str]]:
        return list(self._directories)
