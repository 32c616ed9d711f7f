"""Opaque cursors for keyset pagination: the sort order and the last row's sort values, signed.

A cursor says where the previous page ended ("after price 9.50, name 'Lamp', id 17, sorted by
-price,name,id"), so the next page is a WHERE clause on an index instead of an OFFSET that reads
and skips every earlier row. It is signed with a key derived from SECRET_KEY: a cursor that was
edited, cut short or made for another list is a 400, never a wrong page or a server error.
Cursors carry no secrets (the values are readable base64); the signature only vouches for them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
from typing import Any

from kwik.db.crud.errors import InvalidQuery
from kwik.db.crud.spec import ListSpec, SortKey
from kwik.db.crud.values import encode_value

__all__ = ["decode_cursor", "encode_cursor"]

_SIGNATURE_BYTES = 16


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"kwik.db.crud.cursor\x00" + secret.encode()).digest()


def _signing_key() -> bytes:
    from kwik.conf import settings

    return _key(str(settings.SECRET_KEY) if settings.configured else "")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(ordering: tuple[SortKey, ...], row: Any) -> str:
    """The cursor that continues after `row` (an object or row with the sort fields)."""
    payload = json.dumps(
        [
            [str(key) for key in ordering],
            [encode_value(getattr(row, key.field)) for key in ordering],
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    signature = hmac.new(_signing_key(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return f"{_b64encode(payload)}.{_b64encode(signature)}"


def _invalid(reason: str) -> InvalidQuery:
    return InvalidQuery.one(
        "cursor",
        f"cursor is {reason}: pass the next_cursor of the previous page unchanged, or leave "
        "cursor out to start from the first page",
        "invalid_cursor",
    )


def decode_cursor(spec: ListSpec, cursor: str) -> tuple[tuple[SortKey, ...], tuple[Any, ...]]:
    """The ordering a cursor was made for and the last row's values, converted back."""
    body, dot, signature_text = cursor.partition(".")
    try:
        payload, signature = _b64decode(body), _b64decode(signature_text)
    except (binascii.Error, ValueError):
        raise _invalid("malformed (not base64)") from None
    expected = hmac.new(_signing_key(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    if not dot or not hmac.compare_digest(signature, expected):
        raise _invalid("not one this server made (its signature doesn't match)")
    try:
        tokens, texts = json.loads(payload)
        ordering = tuple(SortKey.parse(token) for token in tokens)
        if len(ordering) != len(texts) or not ordering:
            raise ValueError("lengths differ")
        values = []
        for key, text in zip(ordering, texts, strict=True):
            field = spec.fields[key.field]
            if text is None and field.nullable:
                values.append(None)
                continue
            if field.converter is None or not isinstance(text, str):
                raise ValueError(f"no value for {key.field}")
            values.append(field.converter(text))
    except (ValueError, TypeError, KeyError):
        raise _invalid("for a different list or out of date") from None
    return ordering, tuple(values)
