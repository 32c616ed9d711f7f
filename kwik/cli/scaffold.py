"""Rendering `project_template/` for startproject and startapp, and checking the names given.

Files ending in `-tpl` are Jinja2 templates (the suffix keeps tools from treating them as code);
folders named `project_name` or `app_name` take the given name; everything else is copied.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import keyword
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import kwik
from kwik.cli.errors import CommandError

__all__ = ["TEMPLATE_SUFFIX", "check_name", "check_target", "render_tree", "template_root"]

TEMPLATE_SUFFIX = "-tpl"
_SKIP = {"__pycache__", ".DS_Store"}


def template_root() -> Path:
    """Where `project_template/` is: inside the installed package, or beside it in a checkout."""
    package = Path(kwik.__file__).parent
    for candidate in (package / "project_template", package.parent / "project_template"):
        if candidate.is_dir():
            return candidate
    raise CommandError(f"kwik's project_template folder is missing from {package}; reinstall kwik")


def check_name(name: str, kind: str, target: Path | None = None) -> None:
    """Refuse names that can't be, or shouldn't be, a Python package name.

    `target` is the folder about to be filled: when it already exists (empty) on `sys.path`, as
    under `python -m kwik` or `manage.py`, it imports as a namespace package of the same name,
    which is not a clash.
    """
    if keyword.iskeyword(name):
        raise CommandError(
            f"{name!r} is not a valid {kind} name: it is a Python keyword; choose another"
        )
    if not name.isidentifier():
        suggestion = name.replace("-", "_").replace(" ", "_").replace(".", "_")
        hint = (
            f", such as {suggestion!r}"
            if suggestion.isidentifier() and not keyword.iskeyword(suggestion)
            else ""
        )
        raise CommandError(f"{name!r} is not a valid {kind} name: use a Python identifier{hint}")
    if name in sys.stdlib_module_names:
        raise CommandError(
            f"{name!r} is not a valid {kind} name: it is the name of a Python standard library "
            "module; choose another"
        )
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        taken = True
    else:
        taken = spec is not None and not _is_only_folder(spec, target)
    if taken:
        raise CommandError(
            f"{name!r} is not a valid {kind} name: it clashes with the installed module {name!r};"
            " choose another"
        )


def _is_only_folder(spec: importlib.machinery.ModuleSpec, target: Path | None) -> bool:
    """Whether `spec` is nothing but the folder `target`, seen as a namespace package."""
    locations = list(spec.submodule_search_locations or [])
    return (
        target is not None
        and spec.origin is None
        and bool(locations)
        and all(Path(location).resolve() == target.resolve() for location in locations)
    )


def check_target(target: Path) -> None:
    """The target may be new or an empty folder, never a folder with files in it or a file."""
    if target.is_file():
        raise CommandError(f"{target} is a file; choose another name or folder")
    if target.is_dir() and any(target.iterdir()):
        raise CommandError(
            f"{target} already exists and is not empty; choose another name or folder"
        )


def render_tree(source: Path, target: Path, context: Mapping[str, str]) -> list[Path]:
    """Render the template folder `source` into `target`; return the files written."""
    try:
        return _render(source, target, context)
    except OSError as exc:
        where = exc.filename or target
        raise CommandError(f"Cannot write {where}: {exc.strerror or exc}") from exc


def _render(source: Path, target: Path, context: Mapping[str, str]) -> list[Path]:
    import jinja2  # here, so `kwik --help` doesn't pay for it

    environment = jinja2.Environment(
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False
    )
    written = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if _SKIP.intersection(relative.parts) or path.suffix == ".pyc":
            continue
        parts = [
            context.get(part, part) if part in ("project_name", "app_name") else part
            for part in relative.parts
        ]
        destination = target.joinpath(*parts)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.name.endswith(TEMPLATE_SUFFIX):
            destination = destination.with_name(destination.name.removesuffix(TEMPLATE_SUFFIX))
            text = environment.from_string(path.read_text(encoding="utf-8")).render(context)
            destination.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(path, destination)
        shutil.copymode(path, destination)
        written.append(destination)
    return written
