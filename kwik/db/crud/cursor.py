"""Opaque cursors for keyset pagination: the list, the sort order and the last row's values, signed.

A cursor says where the previous page ended ("after price 9.50, name 'Lamp', id 17, sorted by
-price,name,id"), so the next page is a WHERE clause on an index instead of an OFFSET that reads
and skips every earlier row. It is signed with a key derived from SECRET_KEY and names the list
(service) it was made for: a cursor that was edited, cut short or made for another list is a 400,
never a wrong page or a server error. Cursors carry no secrets (the values are readable base64;
the list is a hash of the service's name); the signature only vouches for them.
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


@functools.lru_cache(maxsize=256)
def _list_tag(identity: str) -> str:
    return _b64encode(hashlib.sha256(identity.encode()).digest()[:6])


def _sign(payload: bytes) -> bytes:
    return hmac.new(_signing_key(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(spec: ListSpec, ordering: tuple[SortKey, ...], row: Any) -> str:
    """The cursor that continues after `row` (an object or row with the sort fields)."""
    values = [spec.fields[key.field].converter.dump(getattr(row, key.field)) for key in ordering]
    payload = json.dumps(
        [_list_tag(spec.identity), [str(key) for key in ordering], values],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    return f"{_b64encode(payload)}.{_b64encode(_sign(payload))}"


def _invalid(reason: str) -> InvalidQuery:
    return InvalidQuery.one(
        "cursor",
        f"cursor is {reason}: pass the next_cursor of the previous page unchanged, or leave "
        "cursor out to start from the first page",
        "invalid_cursor",
    )


def decode_cursor(
    spec: ListSpec, cursor: str, sort: tuple[SortKey, ...] | None = None
) -> tuple[tuple[SortKey, ...], tuple[Any, ...]]:
    """The ordering a cursor was made for and the last row's values, converted back. A `sort`
    given with the cursor must be the one it was made for."""
    body, dot, signature_text = cursor.partition(".")
    try:
        payload, signature = _b64decode(body), _b64decode(signature_text)
    except (binascii.Error, ValueError):
        raise _invalid("malformed (not base64)") from None
    if not dot or not hmac.compare_digest(signature, _sign(payload)):
        raise _invalid("not one this server made (its signature doesn't match)")
    try:
        tag, tokens, data = json.loads(payload)
        ordering = tuple(SortKey.parse(token) for token in tokens)
        if tag != _list_tag(spec.identity) or not ordering or len(ordering) != len(data):
            raise ValueError("another list's cursor")
        values = tuple(
            None if item is None and field.nullable else field.converter.load(item)
            for field, item in zip((spec.fields[key.field] for key in ordering), data, strict=True)
        )
    except (ValueError, TypeError, KeyError):  # pydantic's ValidationError is a ValueError
        raise _invalid("for a different list or out of date") from None
    if sort is not None and spec.ordering(sort) != ordering:
        raise InvalidQuery.one(
            "sort",
            f"sort differs from the sort the cursor was made for "
            f"({','.join(map(str, ordering))}): repeat that sort or leave sort out",
            "sort_mismatch",
        )
    return ordering, values
