"""Importing objects named by dotted paths in settings, with errors that name the setting."""

from __future__ import annotations

import importlib
from typing import Any

from kwik.exceptions import ImproperlyConfigured

__all__ = ["import_string"]


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
