"""Server-side browser sessions behind a signed cookie.

Logging in through `POST /auth/session` makes a random session key (256 bits), stores its keyed
digest in a `UserSession` row, and sets a cookie holding the key signed for this purpose. A
request is authenticated by that cookie when its signature holds, its row exists and hasn't
expired, and its user is still active. Logging out deletes the row, so a copied cookie stops
working at once, which a cookie carrying the session data itself could not offer.

The cookie is `HttpOnly` (no script reads it), `SameSite` per `AUTH_SESSION_COOKIE_SAMESITE`
(`lax`: not sent with cross-site POSTs), `Secure` per `AUTH_SESSION_COOKIE_SECURE` (by default
when the request came over HTTPS; always with `SameSite=None`, which browsers require), and
lives `AUTH_SESSION_TTL` seconds, like its row.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from kwik.contrib.auth.users import get_user_model
from kwik.db import utcnow
from kwik.signing import BadSignature, Signer, keyed_digest

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import HTTPConnection
    from starlette.responses import Response

    from kwik.contrib.auth.base_user import AbstractUser
    from kwik.contrib.auth.models.credentials import UserSession

__all__ = [
    "StartedSession",
    "authenticate_session",
    "clear_session_cookie",
    "end_session",
    "end_session_of_cookie",
    "end_user_sessions",
    "is_same_origin",
    "refuses_cross_site",
    "set_session_cookie",
    "start_session",
]

_PURPOSE = "kwik.contrib.auth.session"
_WELL_FORMED_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class StartedSession:
    """A new session: `cookie` is the signed value to send, the only place the key exists."""

    cookie: str = field(repr=False)
    row: UserSession


def _digest(key: str) -> str:
    return keyed_digest(key, _PURPOSE)


def _key_of(cookie: str) -> str | None:
    try:
        key = Signer(_PURPOSE).unsign(cookie)
    except BadSignature:
        return None
    return key if _WELL_FORMED_KEY.match(key) else None


async def start_session(
    session: AsyncSession, user: AbstractUser, *, data: dict[str, Any] | None = None
) -> StartedSession:
    """A new session for `user`, lasting `AUTH_SESSION_TTL` seconds."""
    from kwik.conf import settings
    from kwik.contrib.auth.models.credentials import UserSession

    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        digest=_digest(key),
        user_id=user.id,
        data=dict(data or {}),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.AUTH_SESSION_TTL),
    )
    session.add(row)
    await session.flush()
    return StartedSession(Signer(_PURPOSE).sign(key), row)


async def authenticate_session(
    session: AsyncSession, cookie: str
) -> tuple[AbstractUser, UserSession] | None:
    """The active user a session cookie belongs to, and its row; None when it can't be used
    (forged, unknown, expired, or the user inactive). An expired row is deleted on the way."""
    from kwik.contrib.auth.models.credentials import UserSession

    key = _key_of(cookie)
    if key is None:
        return None
    user_model = get_user_model()
    found = (
        await session.execute(
            select(UserSession, user_model)
            .join(user_model, user_model.id == UserSession.user_id)
            .where(UserSession.digest == _digest(key))
        )
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= utcnow():
        await session.delete(row)
        return None
    if not user.is_active:
        return None
    return user, row


async def end_session(session: AsyncSession, row: UserSession) -> None:
    """Log a session out: its row goes, so its cookie is worthless from now on."""
    await session.delete(row)
    await session.flush()


async def end_session_of_cookie(session: AsyncSession, cookie: str) -> bool:
    """Log out the session a cookie names, whatever state it or its user is in (expired,
    inactive); False when the cookie names none."""
    from kwik.contrib.auth.models.credentials import UserSession

    key = _key_of(cookie)
    if key is None:
        return False
    result = await session.execute(delete(UserSession).where(UserSession.digest == _digest(key)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def end_user_sessions(
    session: AsyncSession, user_id: int, *, keep: UserSession | None = None
) -> int:
    """End every session of a user, except `keep` (the one making the request); the number
    ended."""
    from kwik.contrib.auth.models.credentials import UserSession

    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _secure(connection: HTTPConnection) -> bool:
    from kwik.conf import settings

    if settings.AUTH_SESSION_COOKIE_SAMESITE == "none":
        return True
    configured = settings.AUTH_SESSION_COOKIE_SECURE
    return connection.url.scheme in ("https", "wss") if configured is None else configured


def set_session_cookie(
    response: Response, connection: HTTPConnection, started: StartedSession
) -> None:
    """Send the session cookie, with the attributes the settings ask for."""
    from kwik.conf import settings

    response.set_cookie(
        settings.AUTH_SESSION_COOKIE_NAME,
        started.cookie,
        max_age=settings.AUTH_SESSION_TTL,
        path="/",
        secure=_secure(connection),
        httponly=True,
        samesite=settings.AUTH_SESSION_COOKIE_SAMESITE,
    )


def clear_session_cookie(response: Response, connection: HTTPConnection) -> None:
    """Tell the browser to drop the session cookie."""
    from kwik.conf import settings

    response.delete_cookie(
        settings.AUTH_SESSION_COOKIE_NAME,
        path="/",
        secure=_secure(connection),
        httponly=True,
        samesite=settings.AUTH_SESSION_COOKIE_SAMESITE,
    )


def is_same_origin(connection: HTTPConnection) -> bool:
    """Whether a request authenticated by cookie may change state: a safe method, or a
    request the browser says comes from this site's own pages.

    `SameSite` keeps the cookie off cross-site requests; this also refuses ones from sibling
    subdomains (`Sec-Fetch-Site: same-site`) and from browsers that ignore `SameSite`, using
    `Sec-Fetch-Site` when the browser sends it, else `Origin` against `Host`. Clients that are
    not browsers send neither and pass. A WebSocket handshake counts as state-changing: a page
    on another site could otherwise talk to the socket as the user.
    """
    if connection.scope.get("method") in _SAFE_METHODS:
        return True
    fetch_site = connection.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == connection.headers.get("host", "").lower()


def refuses_cross_site(connection: HTTPConnection) -> bool:
    """Whether auth refuses this request, authenticated by the session cookie (or logging in),
    as sent from another site.

    Only without kwik.contrib.security. When it is installed, its CSRF check decides instead,
    on every route and before the route's own dependencies (origin and token, with the origins
    its settings trust), and its middleware refuses foreign WebSocket handshakes; auth steps
    aside rather than refuse what the project's CSRF settings allow. A project with auth alone
    keeps `is_same_origin`.
    """
    from kwik.apps import apps

    if apps.ready and apps.is_installed("kwik.contrib.security"):
        return False
    return not is_same_origin(connection)
