"""`call_command`: run any command from Python (tests, scripts) exactly as the CLI would."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["call_command"]


def _as_arguments(command: click.Command, options: dict[str, Any]) -> list[str]:
    """Turn `name=value` keyword options into the command-line words that set them."""
    by_name = {param.name: param for param in command.params if isinstance(param, click.Option)}
    words: list[str] = []
    for name, value in options.items():
        param = by_name.get(name)
        if param is None:
            raise TypeError(
                f"Command {command.name!r} has no option {name!r}; "
                f"its options are {sorted(n for n in by_name if n)}"
            )
        if param.is_flag and not param.count:
            flags = param.opts if value else param.secondary_opts
            words.extend(flags[:1])
        elif param.multiple:
            for item in value:
                words.extend([param.opts[0], str(item)])
        else:
            words.extend([param.opts[0], str(value)])
    return words


def call_command(name: str, *args: Any, **options: Any) -> Any:
    """Run command `name` with positional `args` and keyword `options`; return what it returns.

    Errors are raised, not printed: a `CommandError` or click's `UsageError` reaches the caller.

    Example:
        call_command("check", deploy=True)
        call_command("startapp", "catalog")
    """
    from kwik.cli.main import cli

    with click.Context(cli, info_name="kwik") as parent:
        _, command, _ = cli.resolve_command(parent, [name])
        assert command is not None
        words = [str(arg) for arg in args] + _as_arguments(command, options)
        with command.make_context(name, words, parent=parent) as ctx:
            return command.invoke(ctx)
