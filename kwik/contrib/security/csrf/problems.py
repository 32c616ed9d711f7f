"""The three ways a CSRF check refuses a request: 403 problem documents with stable types, each
saying what the client should do."""

from __future__ import annotations

from kwik.http import HTTPError

__all__ = [
    "CROSS_ORIGIN",
    "TOKEN_INVALID",
    "TOKEN_MISSING",
    "cross_origin",
    "token_invalid",
    "token_missing",
]

TOKEN_MISSING = "urn:kwik:problem:csrf-token-missing"
TOKEN_INVALID = "urn:kwik:problem:csrf-token-invalid"
CROSS_ORIGIN = "urn:kwik:problem:csrf-cross-origin"


def _how_to_send() -> str:
    from kwik.conf import settings

    return (
        f"send a token from csrf_token() in the {settings.CSRF_HEADER_NAME} header, or in the "
        f"{settings.CSRF_FORM_FIELD!r} field of a form ({{{{ csrf_input() }}}} in a template); "
        "GET /security/csrf gives a script one"
    )


def token_missing() -> HTTPError:
    """403: a cookie-authenticated unsafe request came without a token."""
    return HTTPError(
        403,
        f"This request is authenticated by a cookie, so it needs a CSRF token: {_how_to_send()}",
        title="CSRF token missing",
        type=TOKEN_MISSING,
    )


def token_invalid(reason: str) -> HTTPError:
    """403: the token doesn't belong to the browser's CSRF cookie (or there is no cookie)."""
    return HTTPError(
        403,
        f"The CSRF token was refused: {reason}. Reload the page for a fresh one, or "
        f"{_how_to_send()}",
        title="CSRF token invalid",
        type=TOKEN_INVALID,
    )


def cross_origin(reason: str) -> HTTPError:
    """403: the browser says the request was sent by another site's page."""
    return HTTPError(
        403,
        f"Requests authenticated by a cookie, and logins, must come from this site's own pages, "
        f"but {reason}. A site of your own that sends such requests belongs in "
        "CSRF_TRUSTED_ORIGINS; API clients authenticate with a bearer token or an API key "
        "instead of a cookie",
        title="Cross-origin request refused",
        type=CROSS_ORIGIN,
    )
