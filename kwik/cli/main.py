"""The entry point of `kwik` and of a project's `manage.py`.

Global options (`--settings`, `--traceback`) are honoured anywhere on the command line, as in
Django, because they decide which project's commands exist before click parses anything.
Every KwikError ends the run with `Error: <message>` on stderr and exit status 1; the traceback
is shown only with `--traceback`.
"""

from __future__ import annotations

import os
import sys
import traceback as traceback_module
from collections.abc import Sequence
from typing import NoReturn

import click

from kwik import __version__
from kwik.cli.group import KwikGroup
from kwik.conf import ENVIRONMENT_VARIABLE
from kwik.exceptions import KwikError

__all__ = ["cli", "main"]


def _set_settings(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        os.environ[ENVIRONMENT_VARIABLE] = value


@click.group(cls=KwikGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--settings",
    metavar="MODULE",
    is_eager=True,
    expose_value=False,
    callback=_set_settings,
    help=f"Settings module, e.g. shop.settings (else ${ENVIRONMENT_VARIABLE}, else "
    "[tool.kwik] in pyproject.toml).",
)
@click.option(
    "--traceback", is_flag=True, expose_value=False, help="Show the full traceback on errors."
)
@click.version_option(__version__, "--version", prog_name="kwik", message="%(prog)s %(version)s")
def cli() -> None:
    """Kwik's command runner: start projects and apps, serve, check, and run app commands."""


def extract_global_options(args: Sequence[str]) -> tuple[list[str], str | None, bool]:
    """Remove `--settings X`, `--settings=X` and `--traceback` from anywhere before `--`."""
    rest: list[str] = []
    settings_module: str | None = None
    show_traceback = False
    items = iter(args)
    for arg in items:
        if arg == "--":
            rest.append(arg)
            rest.extend(items)
            break
        if arg == "--traceback":
            show_traceback = True
        elif arg == "--settings":
            settings_module = next(items, None)
            if settings_module is None:
                raise click.UsageError(
                    "--settings needs a module name, e.g. --settings shop.settings"
                )
        elif arg.startswith("--settings="):
            settings_module = arg.partition("=")[2]
        else:
            rest.append(arg)
    return rest, settings_module, show_traceback


def _fail(message: str, code: int) -> NoReturn:
    for line in message.splitlines() or [""]:
        click.echo(f"Error: {line}", err=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None, prog_name: str | None = None) -> NoReturn:
    """Run one command and exit with its status."""
    show_traceback = False
    try:
        args, settings_module, show_traceback = extract_global_options(
            sys.argv[1:] if argv is None else argv
        )
        if settings_module:
            os.environ[ENVIRONMENT_VARIABLE] = settings_module
        result = cli.main(args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("Aborted.", 1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KwikError as exc:
        if show_traceback:
            traceback_module.print_exc()
        _fail(str(exc), getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
