"""The text of an API key, and what the database keeps of it.

A key reads `{API_KEY_PREFIX}_{key_id}_{secret}{checksum}`, all base62 after the prefix:

    kwk_kmu3KdMuZAJR_wyJnL4mChfDIPEKkiuc6v4vlzPZxUAbK0vVMeg

- the prefix (`kwk` by default) lets people and secret scanners tell a key when one is pasted
  where it shouldn't be;
- `key_id` (12 random characters) is public: it finds the key's row, names it in listings and
  logs, and stays the same when the secret is rotated;
- the secret (32 random characters, 190 bits from `secrets`) is never stored: the database keeps
  its keyed digest (`kwik.signing.keyed_digest`, a key derived from SECRET_KEY), so a copy of
  the table neither reveals keys nor lets anyone test a guess offline;
- the checksum (the CRC32 of everything before it, as 6 characters) catches a mistyped or
  truncated key, and garbage, before any database work: every single-character change is
  caught.
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
import string
import zlib
from dataclasses import dataclass, field

from kwik.exceptions import ImproperlyConfigured
from kwik.signing import keyed_digest

__all__ = [
    "ALPHABET",
    "CHECKSUM_LENGTH",
    "KEY_ID_LENGTH",
    "SECRET_LENGTH",
    "ParsedKey",
    "checksum",
    "digests_match",
    "generate_key",
    "parse_key",
    "secret_digest",
]

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
KEY_ID_LENGTH = 12
SECRET_LENGTH = 32
CHECKSUM_LENGTH = 6
_PURPOSE = "kwik.contrib.security.apikey"
_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
_KEY_ID = re.compile(rf"^[0-9A-Za-z]{{{KEY_ID_LENGTH}}}$")
# The longest key any prefix gives: longer text is refused before a regular expression runs.
_MAX_LENGTH = 16 + 2 + KEY_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH


@dataclass(frozen=True, slots=True)
class ParsedKey:
    """A key split into its parts; its repr leaves the secret out, so logging one is safe."""

    prefix: str
    key_id: str
    secret: str = field(repr=False)

    @property
    def text(self) -> str:
        """The whole key, as a client sends it."""
        body = f"{self.prefix}_{self.key_id}_{self.secret}"
        return body + checksum(body)


def _prefix(prefix: str | None) -> str:
    """`prefix`, or API_KEY_PREFIX; ImproperlyConfigured when it can't start a key."""
    if prefix is None:
        from kwik.conf import settings

        prefix = settings.API_KEY_PREFIX
    if not _PREFIX.match(prefix):
        raise ImproperlyConfigured(
            f"API_KEY_PREFIX {prefix!r} can't start an API key: use 1 to 16 letters, digits or "
            "underscores, starting with a letter (the default is 'kwk')"
        )
    return prefix


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def checksum(body: str) -> str:
    """The CRC32 of `body` in base62, 6 characters (62**6 > 2**32, so none is lost)."""
    value = zlib.crc32(body.encode())
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, remainder = divmod(value, len(ALPHABET))
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def generate_key(key_id: str | None = None, *, prefix: str | None = None) -> ParsedKey:
    """A new key: a new secret, under `key_id` (a rotation keeps it) or a new random one.

    Example:
        key = generate_key()
        key.text  # 'kwk_kmu3KdMuZAJR_wyJn...': hand it out once, store secret_digest(key)
    """
    if key_id is not None and not _KEY_ID.match(key_id):
        raise ValueError(f"A key id is {KEY_ID_LENGTH} base62 characters, not {key_id!r}")
    return ParsedKey(_prefix(prefix), key_id or _random(KEY_ID_LENGTH), _random(SECRET_LENGTH))


@functools.lru_cache(maxsize=8)
def _shape(prefix: str) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(prefix)}_([0-9A-Za-z]{{{KEY_ID_LENGTH}}})_"
        rf"([0-9A-Za-z]{{{SECRET_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$"
    )


def parse_key(text: str, *, prefix: str | None = None) -> ParsedKey | None:
    """The parts of `text` when it has a key's shape and its checksum matches; None otherwise.

    Only the text is checked, no database: a typo, a truncated key, a key of another service
    or plain garbage stops here. `prefix` defaults to API_KEY_PREFIX (so changing the setting
    makes the keys issued under the old one malformed).

    Example:
        parsed = parse_key(request.headers["x-api-key"])
        if parsed is None: ...  # 401, without touching the database
    """
    prefix = _prefix(prefix)
    if len(text) > _MAX_LENGTH:
        return None
    found = _shape(prefix).match(text)
    if found is None:
        return None
    key_id, secret, given = found.groups()
    if checksum(text[: -len(given)]) != given:
        return None
    return ParsedKey(prefix, key_id, secret)


def secret_digest(key: ParsedKey) -> str:
    """What the database stores for `key`'s secret: an HMAC-SHA256 (64 hex characters) under a
    key for API keys derived from SECRET_KEY, bound to the key id, so a digest is worthless
    for any other key."""
    return keyed_digest(f"{key.key_id}.{key.secret}", _PURPOSE)


def digests_match(presented: str, stored: str | None) -> bool:
    """Whether two digests are equal, in time that doesn't depend on where they differ."""
    return stored is not None and hmac.compare_digest(presented.encode(), stored.encode())
