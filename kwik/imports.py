"""Importing what settings and conventions name, with errors that say what was being imported.

Kwik imports user code in two ways: optional conventional modules (an app's `routes`, `apps`...)
where absence is normal, and objects named in settings where it is a mistake. Both tell "does not
exist" apart from "exists but fails to import", so a typo and a bug in the module read differently.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from kwik.exceptions import ImproperlyConfigured

__all__ = ["import_optional", "import_string"]


def import_optional(name: str, *, what: str) -> ModuleType | None:
    """Import module `name`; None when it, or a package above it, does not exist.

    Anything else (the module raising, or failing to import something it imports) becomes one
    ImproperlyConfigured line: `<what> failed to import: <Error>: <message>`.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise ImproperlyConfigured(f"{what} failed to import: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise ImproperlyConfigured(f"{what} failed to import: {type(exc).__name__}: {exc}") from exc


def import_string(path: str, *, setting: str) -> Any:
    """The object at `package.module.Name` or `package.module:Name`, named by setting `setting`."""
    module_path, sep, attribute = path.partition(":")
    if not sep:
        module_path, _, attribute = path.rpartition(".")
    if not module_path or not attribute:
        raise ImproperlyConfigured(f"{setting}: {path!r} is not a path like 'package.module.Name'")
    try:
        module = importlib.import_module(module_path)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"{setting}: cannot import {module_path!r} for {path!r}: {type(exc).__name__}: {exc}"
        ) from exc
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ImproperlyConfigured(
                f"{setting}: {module_path!r} has no attribute {attribute!r} (from {path!r})"
            ) from None
    return target
