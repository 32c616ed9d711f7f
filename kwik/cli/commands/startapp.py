"""`kwik startapp NAME [DIR]`: a new app package with the conventional modules and a test.

When run inside a project whose INSTALLED_APPS is a plain list literal, the app is added to it, so
the new app serves its routes at once; otherwise the command says what line to add.
"""

from __future__ import annotations

import ast
from pathlib import Path

import click

from kwik.cli.errors import CommandError
from kwik.cli.scaffold import check_name, check_target, render_tree, template_root
from kwik.conf import locate_settings
from kwik.conf.locate import module_origin
from kwik.exceptions import KwikError

__all__ = ["install_app", "startapp"]


def _project() -> tuple[Path, Path] | None:
    """The project's settings file, and the folder its packages import from; None outside one."""
    try:
        location = locate_settings()
    except KwikError:
        return None
    if location is None:
        return None
    location.make_importable()
    return module_origin(location.module)


def _app_entry(target: Path, root: Path) -> str | None:
    """The INSTALLED_APPS entry of an app made in `target`: its dotted path from `root`."""
    try:
        parts = target.relative_to(root.resolve()).parts
    except ValueError:
        return None
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def _installed_apps_list(tree: ast.Module) -> ast.List | None:
    """The list of the last top-level `INSTALLED_APPS = [...]` (the one in effect), if literal."""
    found = None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "INSTALLED_APPS" for t in targets):
            found = node.value if isinstance(node.value, ast.List) else None
    return found


def install_app(settings_file: Path, app: str) -> bool:
    """Add `app` to a literal `INSTALLED_APPS = [...]` in `settings_file`; False if there is none.

    The file is edited in place at the list's closing bracket, so comments and layout survive.
    """
    source = settings_file.read_text(encoding="utf-8")
    try:
        listing = _installed_apps_list(ast.parse(source))
    except SyntaxError:
        return False
    if listing is None or listing.end_lineno is None or listing.end_col_offset is None:
        return False
    if any(isinstance(e, ast.Constant) and e.value == app for e in listing.elts):
        return True
    data = source.encode()  # ast offsets count UTF-8 bytes
    starts = [0]
    starts += [i + 1 for i, byte in enumerate(data) if byte == ord("\n")]

    def at(line: int, column: int) -> int:
        return starts[line - 1] + column

    close = at(listing.end_lineno, listing.end_col_offset) - 1
    line_start = starts[listing.end_lineno - 1]
    entry = f'"{app}"'.encode()
    if data[line_start:close].strip():
        insertion, position = (b" " + entry if listing.elts else entry), close
    else:
        indent = b" " * 4
        if listing.elts:  # indent like the last entry: same spaces or tabs
            last = listing.elts[-1]
            indent = data[starts[last.lineno - 1] : at(last.lineno, last.col_offset)]
            if indent.strip():
                indent = b" " * last.col_offset
        insertion, position = indent + entry + b",\n", line_start
    data = data[:position] + insertion + data[position:]
    if listing.elts:
        last = listing.elts[-1]
        assert last.end_lineno is not None
        assert last.end_col_offset is not None
        last_end = at(last.end_lineno, last.end_col_offset)
        if not data[last_end:close].lstrip().startswith(b","):
            data = data[:last_end] + b"," + data[last_end:]
    try:
        settings_file.write_text(data.decode(), encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot write {settings_file}: {exc.strerror or exc}") from exc
    return True


@click.command()
@click.argument("name")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def startapp(name: str, directory: Path | None) -> None:
    """Create app NAME in ./NAME (or DIRECTORY) and add it to INSTALLED_APPS."""
    target = (directory or Path.cwd() / name).resolve()
    if target.name != name:
        raise CommandError(
            f"The app's folder {target} must be named {name!r}: the folder name is the package "
            f"name. Use a DIRECTORY ending in /{name}"
        )
    check_target(target)
    check_name(name, "app", target)
    context = {
        "app_name": name,
        "app_class": "".join(part.capitalize() for part in name.split("_")),
        "app_title": name.replace("_", " ").capitalize(),
    }
    written = render_tree(template_root() / "app", target, context)
    click.echo(f"Created app {name!r} in {target} ({len(written)} files).")
    project = _project()
    entry = _app_entry(target, project[1]) if project else None
    if project is not None and entry is not None and install_app(project[0], entry):
        click.echo(f"Added {entry!r} to INSTALLED_APPS in {project[0]}.")
    elif project is not None and entry is None:
        click.echo(
            f"{target} is outside the project folder {project[1]}: put it on the Python path, "
            "then add its import path to INSTALLED_APPS to turn it on."
        )
    else:
        click.echo(f"Add {entry or name!r} to INSTALLED_APPS in your settings to turn it on.")
