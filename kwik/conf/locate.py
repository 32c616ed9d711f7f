"""Finding the project's settings module: `--settings`, then `KWIK_SETTINGS_MODULE`, then the
nearest pyproject.toml with a `[tool.kwik]` table above the working directory.

The answer also names the folder that must be importable, so `kwik` works from any folder of a
project without the user touching PYTHONPATH.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "SettingsLocation",
    "find_pyproject",
    "locate_settings",
    "module_origin",
    "settings_root",
]

ENVIRONMENT_VARIABLE = "KWIK_SETTINGS_MODULE"


@dataclass(frozen=True)
class SettingsLocation:
    """Where the settings module was found, for messages and `sys.path`."""

    module: str
    source: str
    root: Path

    def make_importable(self) -> None:
        """Put `root` on `sys.path`, so the settings module and the project's apps import."""
        if str(self.root) not in sys.path:
            sys.path.insert(0, str(self.root))


def module_origin(module: str) -> tuple[Path, Path] | None:
    """The file of `module` and the folder its top package sits in (the one `sys.path` needs).

    Only the module's parent packages are imported; None when it can't be found.
    """
    try:
        spec = importlib.util.find_spec(module)
    except Exception:  # a parent package is missing or fails to import
        return None
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin).resolve()
    depth = module.count(".") + (origin.name == "__init__.py")  # a package's origin is inside it
    return origin, origin.parents[depth]


def settings_root(module: str | None) -> Path:
    """The folder the settings module's top package sits in: the project's import root, which
    runserver puts on `sys.path` and watches, and under which makemigrations writes. The
    working directory when there is no settings module or it can't be found."""
    found = module_origin(module) if module else None
    return found[1] if found else Path.cwd().resolve()


def find_pyproject(start: Path) -> tuple[Path, dict[str, object]] | None:
    """The nearest pyproject.toml at or above `start` with a `[tool.kwik]` table, and that table."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ImproperlyConfigured(f"Cannot read {candidate}: {exc}") from exc
        table = data.get("tool", {}).get("kwik")
        if isinstance(table, dict):
            return candidate, table
    return None


def locate_settings(
    explicit: str | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
    cwd: Path | None = None,
) -> SettingsLocation | None:
    """Resolve the settings module name in kwik's order, or None when nothing names one."""
    here = (cwd or Path.cwd()).resolve()
    if explicit:
        return SettingsLocation(explicit, "--settings", here)
    if environ.get(ENVIRONMENT_VARIABLE):
        return SettingsLocation(
            environ[ENVIRONMENT_VARIABLE], f"--settings or {ENVIRONMENT_VARIABLE}", here
        )
    found = find_pyproject(here)
    if found is None:
        return None
    path, table = found
    module = table.get("settings")
    if not isinstance(module, str) or not module:
        raise ImproperlyConfigured(
            f'{path} has a [tool.kwik] table without settings = "package.settings"; add it'
        )
    return SettingsLocation(module, f"[tool.kwik] in {path}", path.parent)
