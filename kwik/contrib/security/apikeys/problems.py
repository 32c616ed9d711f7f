"""The problem documents (RFC 9457) an API-key check answers with, each with a stable `type`.

401 for every key that can't be used, with a `WWW-Authenticate` challenge naming the header:
missing, malformed (shape or checksum: the client has a typo or another service's key),
invalid (unknown or wrong secret, one answer for both), and, to a client that sent a genuine
secret only, revoked, expired or rotated. 403 for a usable key without a required scope, naming
the scopes missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kwik.contrib.security.apikeys.store import APIKeyRefused
from kwik.http import HTTPError

__all__ = ["PROBLEM_TYPES", "insufficient_scope", "missing_key", "refused"]

PROBLEM_TYPES = {
    "missing": "urn:kwik:problem:api-key-missing",
    "malformed": "urn:kwik:problem:api-key-malformed",
    "invalid": "urn:kwik:problem:api-key-invalid",
    "revoked": "urn:kwik:problem:api-key-revoked",
    "expired": "urn:kwik:problem:api-key-expired",
    "rotated": "urn:kwik:problem:api-key-rotated",
    "insufficient_scope": "urn:kwik:problem:api-key-insufficient-scope",
}
"""Every problem `type` an API-key check answers with, by reason."""


def _challenge(header: str, error: str | None = None) -> dict[str, str]:
    challenge = f'APIKey header="{header}"'
    if error is not None:
        challenge += f', error="{error}"'
    return {"WWW-Authenticate": challenge}


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f" at {moment.isoformat(timespec='seconds')}"


def missing_key(header: str) -> HTTPError:
    """401: the request carries no key."""
    return HTTPError(
        401,
        f"This needs an API key in the {header} header",
        title="API key required",
        type=PROBLEM_TYPES["missing"],
        headers=_challenge(header),
    )


def refused(refusal: APIKeyRefused, header: str) -> HTTPError:
    """401: the key can't be used, saying why only as far as the client may know."""
    reason = refusal.reason
    titles_and_details = {
        "malformed": (
            "Malformed API key",
            f"The {header} header doesn't hold a key this service issued: its prefix, length "
            "or checksum is wrong. Send the whole key, as it was shown when it was created",
        ),
        "invalid": ("Invalid API key", "The API key is not valid"),
        "revoked": ("Revoked API key", "The API key was revoked; ask for a new one"),
        "expired": (
            "Expired API key",
            f"The API key expired{_when(refusal.since)}; ask for a new one",
        ),
        "rotated": (
            "Rotated API key",
            "The API key was rotated and this secret stopped working"
            f"{_when(refusal.since)}; use the new key",
        ),
    }
    title, detail = titles_and_details[reason]
    return HTTPError(
        401,
        detail,
        title=title,
        type=PROBLEM_TYPES[reason],
        headers=_challenge(header, "invalid_key"),
    )


def insufficient_scope(header: str, required: Sequence[str], missing: Sequence[str]) -> HTTPError:
    """403: the key works, but lacks scopes this operation requires (listed in
    `missing_scopes`)."""
    return HTTPError(
        403,
        f"The API key lacks the scope{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
        title="Insufficient scope",
        type=PROBLEM_TYPES["insufficient_scope"],
        headers={
            "WWW-Authenticate": (
                f'APIKey header="{header}", error="insufficient_scope", '
                f'scope="{" ".join(required)}"'
            )
        },
        missing_scopes=list(missing),
    )
