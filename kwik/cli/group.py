"""The `kwik` click group: core commands, plus the commands of installed apps.

Core commands never need the project, so `kwik startproject` works anywhere and a broken settings
module cannot hide them. App commands are looked up only when asked for, by loading the project;
then a broken project is reported as such instead of as an unknown command.
"""

from __future__ import annotations

import importlib

import click

from kwik.exceptions import KwikError
from kwik.suggestions import did_you_mean

__all__ = ["CORE_COMMANDS", "KwikGroup", "app_commands"]

CORE_LABEL = "kwik"
SHORT_HELP = 100

CORE_COMMANDS = {
    "check": "kwik.cli.commands.check:check",
    "diffsettings": "kwik.cli.commands.diffsettings:diffsettings",
    "makemigrations": "kwik.cli.commands.makemigrations:makemigrations",
    "migrate": "kwik.cli.commands.migrate:migrate",
    "openapi": "kwik.cli.commands.openapi:openapi",
    "routes": "kwik.cli.commands.routes:routes",
    "runserver": "kwik.cli.commands.runserver:runserver",
    "shell": "kwik.cli.commands.shell:shell",
    "showmigrations": "kwik.cli.commands.showmigrations:showmigrations",
    "sqlmigrate": "kwik.cli.commands.sqlmigrate:sqlmigrate",
    "startapp": "kwik.cli.commands.startapp:startapp",
    "startproject": "kwik.cli.commands.startproject:startproject",
    "version": "kwik.cli.commands.version:version",
}


def _load_core(name: str) -> click.Command:
    module, _, attribute = CORE_COMMANDS[name].partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    return command


def app_commands() -> dict[str, tuple[str, click.Command]]:
    """Commands of installed apps by name, with the label of the app providing each.

    Loads the project; its errors propagate so the caller can report them.
    """
    import kwik
    from kwik.apps import apps

    kwik.setup()
    found: dict[str, tuple[str, click.Command]] = {}
    for config in apps.get_app_configs():
        for command in config.commands:
            name = command.name or ""
            if name in CORE_COMMANDS:
                raise KwikError(
                    f"App {config.label!r} defines command {name!r}, which is a kwik core command; "
                    "rename it"
                )
            if name in found:
                raise KwikError(
                    f"Command {name!r} is defined by both app {found[name][0]!r} and app "
                    f"{config.label!r}; rename one"
                )
            found[name] = (config.label, command)
    return found


def _project_located() -> bool:
    from kwik.conf import locate_settings

    try:
        return locate_settings() is not None
    except KwikError:
        return True


class KwikGroup(click.Group):
    """Finds commands in kwik and in installed apps; `--help` lists them by app."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*CORE_COMMANDS, *self._help_listing(ctx)[0]})

    def _help_listing(
        self, ctx: click.Context
    ) -> tuple[dict[str, tuple[str, click.Command]], KwikError | None]:
        """App commands for help output, and the error that kept the project from loading."""
        if "kwik.app_commands" not in ctx.meta:
            listing: dict[str, tuple[str, click.Command]] = {}
            error = None
            if _project_located():
                try:
                    listing = app_commands()
                except KwikError as exc:
                    error = exc
            ctx.meta["kwik.app_commands"] = (listing, error)
        return ctx.meta["kwik.app_commands"]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in CORE_COMMANDS:
            return _load_core(cmd_name)
        if not _project_located():
            return None
        found = app_commands().get(cmd_name)
        return found[1] if found else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None and not ctx.resilient_parsing:
            known = set(CORE_COMMANDS)
            if _project_located():
                known.update(app_commands())
            hint = did_you_mean(name, known)
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx)
        return (command.name if command else None), command, args[1:]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        groups: dict[str, list[tuple[str, str]]] = {CORE_LABEL: []}
        for name in sorted(CORE_COMMANDS):
            groups[CORE_LABEL].append((name, _load_core(name).get_short_help_str(SHORT_HELP)))
        listing, error = self._help_listing(ctx)
        for name, (label, command) in listing.items():  # INSTALLED_APPS order
            groups.setdefault(label, []).append((name, command.get_short_help_str(SHORT_HELP)))
        for rows in groups.values():
            rows.sort()
        for label, rows in groups.items():
            with formatter.section(f"Commands [{label}]"):
                formatter.write_dl(rows)
        if error is not None:
            with formatter.section("Note"):
                formatter.write_text(
                    f"Only kwik's own commands are listed: the project did not load ({error})"
                )
