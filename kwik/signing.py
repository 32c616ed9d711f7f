"""Signed values and keyed digests, both derived from SECRET_KEY.

A *signed value* travels to a client and comes back (a session cookie, a CSRF token, a link):
`Signer` appends an HMAC-SHA256 of it, and refuses it on the way back if a single character
changed, if it was signed for another purpose, or if it is older than `max_age`. Signing vouches
for a value; it does not hide it.

A *keyed digest* is what a server stores instead of a secret it hands out (a bearer token, a
password-reset token): `keyed_digest(token, purpose)` is an HMAC of the token, so a copy of the
database alone neither reveals tokens nor lets anyone check a guess offline.

Every purpose gets its own key, derived from SECRET_KEY and the purpose's name, so a value signed
for one job is worthless to another. Changing SECRET_KEY invalidates everything signed or
digested with the old one.

Example:
    signer = Signer("shop.unsubscribe", max_age=7 * 24 * 3600)
    link = f"/unsubscribe?u={signer.sign('ada@example.com')}"
    ...
    email = signer.unsign(request.query_params["u"])  # BadSignature, SignatureExpired
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import time
from typing import Any

from kwik.exceptions import ImproperlyConfigured

__all__ = ["BadSignature", "SignatureExpired", "Signer", "keyed_digest"]

_SEPARATOR = "."


class BadSignature(Exception):
    """A signed value was altered, truncated, malformed or signed for another purpose.

    The message never contains the value: values may be secrets.
    """


class SignatureExpired(BadSignature):
    """The signature is genuine but older than the signer's `max_age`."""

    def __init__(self, age: float, max_age: float) -> None:
        super().__init__(f"The signature is {age:.0f} seconds old, more than {max_age:g}")
        self.age = age
        self.max_age = max_age


def _secret() -> str:
    from kwik.conf import settings

    secret = str(settings.SECRET_KEY) if settings.configured else ""
    if not secret:
        raise ImproperlyConfigured(
            "SECRET_KEY is empty, and signing needs it: set SECRET_KEY in the settings (or "
            "KWIK_SECRET_KEY in the environment) to a long random value"
        )
    return secret


@functools.lru_cache(maxsize=64)
def _derive(secret: str, kind: str, purpose: str) -> bytes:
    """One key per (kind, purpose): a signature for one purpose is no digest of another."""
    label = f"kwik.{kind}\x00{purpose}".encode()
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadSignature("The signed value is not valid base64") from None


def keyed_digest(value: str | bytes, purpose: str, *, key: str | None = None) -> str:
    """The HMAC-SHA256 of `value` under a key for `purpose`, as 64 hex characters.

    Store it instead of a token you hand out, and look the token up by its digest: an index
    lookup on a value an attacker can't compute, so no timing leak and no offline guessing.

    Example:
        row = AuthToken(digest=keyed_digest(token, "auth.token"), ...)
    """
    data = value.encode() if isinstance(value, str) else value
    return hmac.new(_derive(key or _secret(), "digest", purpose), data, hashlib.sha256).hexdigest()


class Signer:
    """Signs values for one `purpose`; with `max_age` (seconds), signatures also expire.

    The signed form is `value.signature`, or `value.timestamp.signature` with `max_age`: URL-
    and cookie-safe when the value is. `key` defaults to SECRET_KEY, read at each use so test
    overrides apply.
    """

    __slots__ = ("key", "max_age", "purpose")

    def __init__(self, purpose: str, *, max_age: float | None = None, key: str | None = None):
        if not purpose:
            raise ValueError("A Signer needs a purpose, such as 'auth.session'")
        if max_age is not None and max_age <= 0:
            raise ValueError(f"max_age must be positive, not {max_age!r}")
        self.purpose = purpose
        self.max_age = max_age
        self.key = key

    def __repr__(self) -> str:
        return f"Signer({self.purpose!r}, max_age={self.max_age!r})"

    def _signature(self, payload: str) -> str:
        kind = "signed" if self.max_age is None else "timestamped"
        key = _derive(self.key or _secret(), kind, self.purpose)
        return _b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest())

    def sign(self, value: str) -> str:
        """`value` with its signature (and, with `max_age`, the time it was signed)."""
        payload = value
        if self.max_age is not None:
            payload = f"{value}{_SEPARATOR}{int(time.time()):x}"
        return f"{payload}{_SEPARATOR}{self._signature(payload)}"

    def unsign(self, signed: str) -> str:
        """The value, once its signature (and age) check out.

        Raises:
            BadSignature: altered, malformed, or signed for another purpose or key.
            SignatureExpired: genuine but older than `max_age`.
        """
        payload, separator, signature = signed.rpartition(_SEPARATOR)
        if not separator or not hmac.compare_digest(
            signature.encode(), self._signature(payload).encode()
        ):
            raise BadSignature("The signature does not match")
        if self.max_age is None:
            return payload
        value, _, stamp = payload.rpartition(_SEPARATOR)
        age = time.time() - int(stamp, 16)  # the signature vouches for the stamp's shape
        if age > self.max_age:
            raise SignatureExpired(age, self.max_age)
        return value

    def sign_object(self, obj: Any) -> str:
        """A JSON-serializable object, as compact base64 JSON, signed: URL- and cookie-safe."""
        encoded = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
        return self.sign(_b64encode(encoded))

    def unsign_object(self, signed: str) -> Any:
        """The object `sign_object` signed; the same errors as `unsign`."""
        return json.loads(_b64decode(self.unsign(signed)))
