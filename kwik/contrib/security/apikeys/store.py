"""API keys in the database: create, list, revoke, rotate, and authenticate a presented key.

Every function works on the session it is given (the request's, or one a command opens), so it
joins that transaction: nothing is committed here.

A key is found by its public `key_id`, then its secret's digest is compared, in constant time,
with the current one and, after a rotation, the previous one. Every reason a key can't be used
is an `APIKeyRefused` with a `reason`; a key that doesn't exist and a wrong secret are the same
reason (`invalid`), so a caller can't tell them apart. Only a caller who sent a genuine secret
learns that its key is revoked, expired or rotated.

`last_used_at` is written at most once per API_KEY_LAST_USED_INTERVAL per key: a per-process memo
skips the statement when this process wrote it recently, and the statement itself is
conditional (`WHERE last_used_at IS NULL OR last_used_at < :threshold`), skipping a row another
transaction is writing (PostgreSQL's SKIP LOCKED) rather than waiting for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple

from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from kwik.contrib.security.apikeys.keys import (
    digests_match,
    generate_key,
    parse_key,
    secret_digest,
)
from kwik.contrib.security.apikeys.models import APIKey
from kwik.contrib.security.apikeys.scopes import check_grants
from kwik.db import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "APIKeyRefused",
    "IssuedAPIKey",
    "Reason",
    "authenticate_api_key",
    "create_api_key",
    "get_api_key",
    "key_state",
    "list_api_keys",
    "revoke_api_key",
    "rotate_api_key",
]

Reason = Literal["malformed", "invalid", "revoked", "expired", "rotated"]
KeyState = Literal["active", "rotating", "revoked", "expired"]
MAX_NAME_LENGTH = 100
_MEMO_SIZE = 10_000
# key_id -> when this process last wrote (or began writing) its last_used_at.
_last_written: dict[str, datetime] = {}


class APIKeyRefused(Exception):
    """A presented key can't be used, and why: `malformed` (not a key's shape or checksum),
    `invalid` (no such key, or a wrong secret), `revoked`, `expired`, or `rotated` (a secret
    replaced by a rotation whose overlap is over).

    For the last three (the caller sent a genuine secret) `key_id` names the key and `since`
    is when it stopped working (the expiry, the end of the overlap); None otherwise.
    """

    def __init__(
        self, reason: Reason, key_id: str | None = None, since: datetime | None = None
    ) -> None:
        super().__init__(f"API key refused: {reason}")
        self.reason: Reason = reason
        self.key_id = key_id
        self.since = since


class IssuedAPIKey(NamedTuple):
    """A key just created or rotated: its row, and its text, the only time it exists in clear.

    Hand `key` to its owner, then forget it; the repr leaves it out. It is a pair:
    `row, key = await create_api_key(...)`.
    """

    row: APIKey
    key: str

    def __repr__(self) -> str:
        return f"IssuedAPIKey(row={self.row!r}, key='<hidden>')"


def _tiers() -> dict[str, str]:
    from kwik.conf import settings

    return dict(settings.API_KEY_RATE_LIMIT_TIERS)


def _check_name(name: str) -> str:
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise ValueError(
            f"An API key needs a name of 1 to {MAX_NAME_LENGTH} characters saying what it is "
            f"for (such as 'billing-service'), not {name!r}"
        )
    return cleaned


def _check_tier(tier: str | None) -> str | None:
    if tier is None:
        return None
    tiers = _tiers()
    if tier not in tiers:
        known = ", ".join(sorted(tiers)) or "none: the setting is empty"
        raise ValueError(
            f"Unknown rate-limit tier {tier!r}: API_KEY_RATE_LIMIT_TIERS names {known}"
        )
    return tier


def _seconds(value: timedelta | float | None) -> timedelta | None:
    """A duration given as a timedelta or as seconds."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


def _expiry(now: datetime, expires_at: datetime | None, ttl: timedelta | None) -> datetime | None:
    if expires_at is not None and ttl is not None:
        raise ValueError("Give expires_at or ttl, not both")
    if ttl is not None:
        if ttl <= timedelta(0):
            raise ValueError(f"An API key's ttl must be positive, not {ttl}")
        return now + ttl
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be an aware datetime (UTC), not a naive one")
        if expires_at <= now:
            raise ValueError(f"expires_at {expires_at.isoformat()} is not in the future")
    return expires_at


async def create_api_key(
    session: AsyncSession,
    name: str,
    scopes: Iterable[str] = (),
    *,
    expires_at: datetime | None = None,
    ttl: timedelta | float | None = None,
    tier: str | None = None,
) -> IssuedAPIKey:
    """A new key named `name`, granted `scopes`, expiring at `expires_at` or after `ttl` (a
    timedelta or seconds; never, without either), limited by the API_KEY_RATE_LIMIT_TIERS
    entry `tier` (none: unlimited).

    Raises:
        ValueError: a blank name, a malformed scope, an unknown tier, an expiry in the past.

    Example:
        row, key = await create_api_key(db, "billing", ["orders:read"], ttl=timedelta(days=90))
        print(key)  # shown once: only its digest is stored
    """
    now = utcnow()
    row = APIKey(
        name=_check_name(name),
        scopes=check_grants(scopes),
        tier=_check_tier(tier),
        created_at=now,
        expires_at=_expiry(now, expires_at, _seconds(ttl)),
    )
    key = generate_key()
    row.key_id = key.key_id
    row.secret_digest = secret_digest(key)
    session.add(row)
    await session.flush()
    return IssuedAPIKey(row, key.text)


async def get_api_key(session: AsyncSession, key_id: str) -> APIKey | None:
    """The key whose public id is `key_id`, whatever its state; None when there is none."""
    return await session.scalar(select(APIKey).where(APIKey.key_id == key_id))


async def list_api_keys(session: AsyncSession) -> list[APIKey]:
    """Every key, oldest first, revoked and expired ones too."""
    return list(await session.scalars(select(APIKey).order_by(APIKey.created_at, APIKey.id)))


def key_state(key: APIKey, now: datetime | None = None) -> KeyState:
    """`revoked`, `expired`, `rotating` (its previous secret still works), or `active`."""
    now = now or utcnow()
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    if key.previous_valid_until is not None and key.previous_valid_until > now:
        return "rotating"
    return "active"


async def revoke_api_key(session: AsyncSession, key: APIKey) -> bool:
    """Revoke `key` for good: requests with it are refused from now on (it stays listed).
    False when it was revoked already."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    await session.flush()
    return True


async def rotate_api_key(
    session: AsyncSession, key: APIKey, *, overlap: timedelta | float | None = None
) -> IssuedAPIKey:
    """A new secret for `key`, under the same key id; the old secret keeps working for
    `overlap` (a timedelta or seconds; default API_KEY_ROTATION_OVERLAP; zero: it stops now).

    Only the secret just replaced is kept: rotating again during an overlap ends the one
    before it at once. Scopes, tier and expiry stay as they are.

    Raises:
        ValueError: the key is revoked or expired (create a new one), or `overlap` < 0.
    """
    from kwik.conf import settings

    overlap = _seconds(settings.API_KEY_ROTATION_OVERLAP if overlap is None else overlap)
    assert overlap is not None
    if overlap < timedelta(0):
        raise ValueError(f"A rotation's overlap can't be negative ({overlap})")
    now = utcnow()
    state = key_state(key, now)
    if state in ("revoked", "expired"):
        raise ValueError(f"API key {key.key_id} is {state}: create a new key instead of rotating")
    new = generate_key(key.key_id)
    if overlap > timedelta(0):
        key.previous_secret_digest = key.secret_digest
        key.previous_valid_until = now + overlap
    else:
        key.previous_secret_digest = None
        key.previous_valid_until = None
    key.secret_digest = secret_digest(new)
    await session.flush()
    return IssuedAPIKey(key, new.text)


async def authenticate_api_key(session: AsyncSession, text: str) -> APIKey:
    """The key `text` is, when it can be used now; `APIKeyRefused` saying why otherwise.

    Example:
        try:
            key = await authenticate_api_key(db, request.headers["x-api-key"])
        except APIKeyRefused as refused:
            ...  # refused.reason
    """
    parsed = parse_key(text)
    if parsed is None:
        raise APIKeyRefused("malformed")
    presented = secret_digest(parsed)  # before the lookup: an unknown id costs the same work
    key = await get_api_key(session, parsed.key_id)
    if key is None:
        raise APIKeyRefused("invalid")
    current = digests_match(presented, key.secret_digest)
    previous = digests_match(presented, key.previous_secret_digest)
    if not (current or previous):
        raise APIKeyRefused("invalid")
    if key.revoked_at is not None:
        raise APIKeyRefused("revoked", key.key_id, key.revoked_at)
    now = utcnow()
    if key.expires_at is not None and key.expires_at <= now:
        raise APIKeyRefused("expired", key.key_id, key.expires_at)
    if not current and (key.previous_valid_until is None or key.previous_valid_until <= now):
        raise APIKeyRefused("rotated", key.key_id, key.previous_valid_until)
    await _note_use(session, key, now)
    return key


async def _note_use(session: AsyncSession, key: APIKey, now: datetime) -> None:
    """Set `last_used_at` when it is older than the interval, at most once per interval from
    this process, and never waiting for another transaction that holds the row."""
    from kwik.conf import settings

    threshold = now - timedelta(seconds=settings.API_KEY_LAST_USED_INTERVAL)
    if key.last_used_at is not None and key.last_used_at > threshold:
        return
    written = _last_written.get(key.key_id)
    if written is not None and written > threshold:
        return
    if len(_last_written) >= _MEMO_SIZE:
        _last_written.clear()
    _last_written[key.key_id] = now
    due = (
        select(APIKey.id)
        .where(
            APIKey.id == key.id,
            or_(APIKey.last_used_at.is_(None), APIKey.last_used_at < threshold),
        )
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        update(APIKey)
        .where(APIKey.id == due)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        set_committed_value(key, "last_used_at", now)
