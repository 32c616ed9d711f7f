"""`kwik apikeys ...`: create, list, revoke and rotate API keys from a shell.

    kwik apikeys create billing --scope orders:read --scope orders:write --expires-in 90d
    kwik apikeys list
    kwik apikeys rotate 4fT9xQ2mLp7Z --overlap 1h
    kwik apikeys revoke 4fT9xQ2mLp7Z

A new key (from `create` or `rotate`) is the only thing printed on stdout, once, so a script can
capture it (`KEY=$(kwik apikeys create ...)`); what was done, and the warning that the key won't
be shown again, go to stderr. Keys are named by their key id, with or without the prefix
(`kwk_4fT9xQ2mLp7Z`). Bad input stops with one `Error:` line and a non-zero exit: 2 for a
malformed scope, duration or tier, 1 for a key that doesn't exist or can't change.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kwik.cli import CommandError
from kwik.contrib.security.apikeys.keys import parse_key
from kwik.contrib.security.apikeys.models import APIKey
from kwik.contrib.security.apikeys.store import (
    IssuedAPIKey,
    create_api_key,
    get_api_key,
    key_state,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)
from kwik.db.commands import run_database_work
from kwik.durations import parse_duration

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["apikeys", "commands"]

T = TypeVar("T")
_USAGE = 2


def _duration(option: str, text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}", exit_code=_USAGE) from None


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return run_database_work(work, tables="the security tables")


def _key_id(given: str) -> str:
    """The key id in `given`: the id, `prefix_id` as `list` shows it, or a whole key."""
    parsed = parse_key(given)
    if parsed is not None:
        return parsed.key_id
    return given.rpartition("_")[2]


async def _find(session: AsyncSession, given: str) -> APIKey:
    key = await get_api_key(session, _key_id(given))
    if key is None:
        raise CommandError(
            f"No API key {given!r}: `kwik apikeys list` shows the key ids (the KEY column)"
        )
    return key


def _shown(key: APIKey) -> str:
    from kwik.conf import settings

    return f"{settings.API_KEY_PREFIX}_{key.key_id}"


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _hand_out(issued: IssuedAPIKey, summary: str) -> None:
    click.echo(summary, err=True)
    click.echo(issued.key)
    click.echo("Copy this key now: it won't be shown again (only its digest is stored).", err=True)


@click.group()
def apikeys() -> None:
    """Create, list, revoke and rotate API keys (kwik.contrib.security)."""


@apikeys.command()
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="A scope the key grants, such as orders:read or orders:* (repeat for several).",
)
@click.option("--expires-in", help="Expire after this long: 30d, 12h, 1w (default: never).")
@click.option("--tier", help="A rate-limit tier named in API_KEY_RATE_LIMIT_TIERS.")
def create(name: str, scopes: Sequence[str], expires_in: str | None, tier: str | None) -> None:
    """Create an API key named NAME and print it, once."""
    ttl = _duration("--expires-in", expires_in)
    if ttl is not None and ttl <= timedelta(0):
        raise CommandError("--expires-in must be longer than 0", exit_code=_USAGE)

    async def work() -> IssuedAPIKey:
        import kwik.db

        async with kwik.db.session() as session:
            try:
                return await create_api_key(session, name, scopes, ttl=ttl, tier=tier)
            except ValueError as exc:
                raise CommandError(str(exc), exit_code=_USAGE) from None

    issued = _run(work)
    row = issued.row
    details = [f"scopes {', '.join(row.scopes) or 'none'}", f"expires {_when(row.expires_at)}"]
    if row.tier is not None:
        details.append(f"tier {row.tier}")
    _hand_out(issued, f"Created API key {_shown(row)} ({row.name!r}; {'; '.join(details)}).")


@apikeys.command("list")
def list_() -> None:
    """List API keys (never their secrets): key, name, scopes, state, expiry, last use."""

    async def work() -> list[APIKey]:
        import kwik.db

        async with kwik.db.session() as session:
            return await list_api_keys(session)

    keys = _run(work)
    if not keys:
        click.echo("No API keys yet: `kwik apikeys create NAME --scope ...` makes one.")
        return
    headers = ["KEY", "NAME", "SCOPES", "TIER", "STATE", "EXPIRES", "LAST USED"]
    rows = [
        [
            _shown(key),
            key.name,
            ",".join(key.scopes) or "-",
            key.tier or "-",
            key_state(key),
            _when(key.expires_at),
            _when(key.last_used_at),
        ]
        for key in keys
    ]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@apikeys.command()
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke the API key KEY_ID for good: requests with it are refused from now on."""

    async def work() -> tuple[APIKey, bool]:
        import kwik.db

        async with kwik.db.session() as session:
            key = await _find(session, key_id)
            return key, await revoke_api_key(session, key)

    key, changed = _run(work)
    if changed:
        click.echo(f"Revoked API key {_shown(key)} ({key.name!r}).")
    else:
        click.echo(f"API key {_shown(key)} was already revoked on {_when(key.revoked_at)}.")


@apikeys.command()
@click.argument("key_id")
@click.option(
    "--overlap",
    help="How long the old secret keeps working: 1h, 7d, 0 for not at all "
    "(default: API_KEY_ROTATION_OVERLAP).",
)
def rotate(key_id: str, overlap: str | None) -> None:
    """Give the API key KEY_ID a new secret and print the new key, once."""
    window = _duration("--overlap", overlap)

    async def work() -> tuple[IssuedAPIKey, bool]:
        import kwik.db

        async with kwik.db.session() as session:
            key = await _find(session, key_id)
            cut_short = key_state(key) == "rotating"
            try:
                return await rotate_api_key(session, key, overlap=window), cut_short
            except ValueError as exc:
                raise CommandError(str(exc)) from None

    issued, cut_short = _run(work)
    row = issued.row
    if row.previous_valid_until is None:
        ending = "the old secret stopped working now"
    else:
        ending = f"the old secret keeps working until {_when(row.previous_valid_until)}"
    if cut_short:
        ending += "; the secret before it, still in its overlap, stopped working now"
    _hand_out(issued, f"Rotated API key {_shown(row)} ({row.name!r}): {ending}.")


commands = [apikeys]
