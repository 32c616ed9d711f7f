"""`kwik openapi`: the project's OpenAPI document, for client generators and contract checks.

It is the document OPENAPI_URL serves, built the same way, so CI can write it without starting a
server (and it works with OPENAPI_URL = None, for a project that publishes the file instead).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

import kwik
from kwik.cli.errors import CommandError

__all__ = ["openapi"]


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the document to FILE instead of printing it.",
    metavar="FILE",
)
@click.option(
    "--indent",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Spaces per indentation level; 0 writes one line.",
)
@click.option(
    "--document",
    "name",
    metavar="NAME",
    help="With API versions, the version's document (default: the default version's).",
)
def openapi(output: Path | None, indent: int, name: str | None) -> None:
    """Print the project's OpenAPI 3.1 document as JSON (or write it to FILE)."""
    from kwik.exceptions import ImproperlyConfigured
    from kwik.http.openapi.project import project_document

    kwik.setup()
    try:
        document = project_document(document=name)
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from None
    text = json.dumps(document, ensure_ascii=False, indent=indent or None) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Can't write {output}: {exc.strerror or exc}") from None
    operations = sum(len(item) for item in document["paths"].values())
    click.echo(
        f"Wrote the OpenAPI document to {output} ({operations} operation"
        f"{'s' if operations != 1 else ''}, {len(document['paths'])} paths)",
        err=True,
    )
