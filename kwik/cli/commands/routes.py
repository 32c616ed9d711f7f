"""`kwik routes`: the routing table as the application will see it."""

from __future__ import annotations

import click

import kwik

__all__ = ["route_rows", "routes"]


def route_rows() -> list[tuple[str, str, str, str]]:
    """(methods, path, name, app) for every route, in matching order."""
    from kwik.asgi import get_routes
    from kwik.http.routing import Route, WebSocketRoute

    rows = []
    for route in get_routes():
        if isinstance(route, Route):
            methods = set(route.methods or ())
            if "GET" in methods:
                methods.discard("HEAD")
            method_text = ",".join(sorted(methods))
        elif isinstance(route, WebSocketRoute):
            method_text = "WS"
        else:
            continue
        rows.append((method_text, route.path, route.name, route.app_label or "(project)"))
    return rows


@click.command()
def routes() -> None:
    """List every route: method, path, name and the app that serves it."""
    kwik.setup()
    rows = [("METHOD", "PATH", "NAME", "APP"), *route_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
