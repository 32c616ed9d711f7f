"""`kwik shell`: Python with the project loaded and each app's models at hand."""

from __future__ import annotations

import code
import inspect
from typing import Any

import click

import kwik

__all__ = ["shell", "shell_namespace"]


def shell_namespace() -> dict[str, Any]:
    """`settings`, `apps`, and every class defined in an installed app's models module."""
    from kwik.apps import apps
    from kwik.conf import settings

    namespace: dict[str, Any] = {"settings": settings, "apps": apps}
    for config in apps.get_app_configs():
        module = config.import_part("models")
        if module is None:
            continue
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                namespace[name] = value
    return namespace


@click.command()
@click.option("-c", "--command", "source", help="Run this Python code and exit.")
@click.option(
    "--plain", is_flag=True, help="Use the plain Python shell even if IPython is installed."
)
def shell(source: str | None, plain: bool) -> None:
    """Start a Python shell (IPython when installed) with settings, apps and models loaded."""
    kwik.setup()
    namespace = shell_namespace()
    if source is not None:
        exec(compile(source, "<kwik shell -c>", "exec"), namespace)
        return
    names = ", ".join(sorted(namespace))
    banner = f"kwik {kwik.__version__} shell. In scope: {names}"
    if not plain:
        try:
            from IPython import start_ipython
        except ImportError:
            pass
        else:
            start_ipython(argv=[], user_ns=namespace, display_banner=False)
            return
    code.interact(banner=banner, local=namespace, exitmsg="")
