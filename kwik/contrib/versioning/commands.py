"""`kwik api diff v1 v2`: what changed between two API versions, and what breaks old clients.

    kwik api diff v1 v2                      # the project's documents of v1 and v2
    kwik api diff released-v2.json v3        # a document saved from a release, against v3
    kwik api diff v2 v3 --format json
    kwik api diff v2 v3 --fail-on-breaking   # exit 1 when a v2 client could break (for CI)

Each side is a version of API_VERSIONS or the path of a saved OpenAPI document (`.json`).
Paths are compared without their version prefix (`/v1/users` and `/v2/users` are one
operation). An unknown version or an unreadable file stops with one `Error:` line, exit 1.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

import kwik
from kwik.cli import CommandError

__all__ = ["api", "commands"]


def _prefix_of_file(document: dict[str, Any]) -> str:
    """The version prefix most of a saved document's paths share (`/v2`), if any."""
    from kwik.contrib.versioning.config import current

    versioning = current()
    if not versioning.by_url:
        return ""
    found: Counter[str] = Counter()
    for path in document.get("paths", {}):
        match = versioning.prefix_pattern.match(path)
        if match is not None and versioning.versions.get(match["version"]) is not None:
            found[versioning.prefix(match["version"])] += 1
    return found.most_common(1)[0][0] if found else ""


def _document(side: str) -> tuple[dict[str, Any], str]:
    """The document `side` names, and the path prefix to strip from it."""
    from kwik.contrib.versioning.config import current
    from kwik.http.openapi.project import project_document

    versioning = current()
    if versioning.versions.get(side) is not None:
        prefix = versioning.prefix(side) if versioning.by_url else ""
        return project_document(document=side), prefix
    if side.endswith(".json") or Path(side).is_file():
        try:
            document = json.loads(Path(side).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Can't read {side}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise CommandError(f"{side} is not JSON: {exc}") from None
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            raise CommandError(f"{side} is not an OpenAPI document (it has no paths)")
        return document, _prefix_of_file(document)
    raise CommandError(
        f"{side!r} is neither an API version ({versioning.versions.names()}) nor a .json file"
    )


@click.group()
def api() -> None:
    """Inspect the project's API versions."""


@api.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A report for people, or JSON for tools.",
)
@click.option(
    "--fail-on-breaking",
    is_flag=True,
    help="Exit with status 1 when a change could break a client of OLD.",
)
def diff(old: str, new: str, output: str, fail_on_breaking: bool) -> None:
    """List the operations and fields added, removed and changed from OLD to NEW."""
    from kwik.contrib.versioning.diff import diff_documents, render_json, render_text

    kwik.setup()
    old_document, old_prefix = _document(old)
    new_document, new_prefix = _document(new)
    try:
        differences = diff_documents(
            old_document, new_document, old_prefix=old_prefix, new_prefix=new_prefix
        )
    except ValueError as exc:
        raise CommandError(f"Can't compare {old} and {new}: {exc}") from None
    render = render_json if output == "json" else render_text
    click.echo(render(differences, old, new), nl=False)
    if fail_on_breaking and any(difference.breaking for difference in differences):
        raise SystemExit(1)


commands = [api]
