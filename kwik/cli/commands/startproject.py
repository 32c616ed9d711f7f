"""`kwik startproject NAME [DIR]`: a new project that runs, checks and tests clean as rendered."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click

import kwik
from kwik.cli.scaffold import check_name, check_target, render_tree, template_root
from kwik.conf import INSECURE_KEY_PREFIX

__all__ = ["startproject"]


@click.command()
@click.argument("name")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def startproject(name: str, directory: Path | None) -> None:
    """Create project NAME in ./NAME, or in DIRECTORY (which must be new or empty)."""
    target = (directory or Path.cwd() / name).resolve()
    check_target(target)
    check_name(name, "project", target)
    context = {
        "project_name": name,
        "secret_key": INSECURE_KEY_PREFIX + secrets.token_urlsafe(50),
        "kwik_version": kwik.__version__,
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    written = render_tree(template_root() / "project", target, context)
    shown = target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target
    click.echo(f"Created project {name!r} in {shown} ({len(written)} files). Next:")
    if target != Path.cwd().resolve():
        click.echo(f"  cd {shown}")
    click.echo("  kwik runserver      # serve it at http://127.0.0.1:8000/")
    click.echo("  python -m pytest    # run its tests")
