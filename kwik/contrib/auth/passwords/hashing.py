"""Hashing and checking passwords without blocking the event loop, with the hashers in settings.

`PASSWORD_HASHERS` lists hasher classes: the first hashes new passwords, every one of them can
check the hashes it made. Empty (the default) means Argon2 when argon2-cffi is installed, then
scrypt, then PBKDF2-SHA256.

A hash is a few tens of milliseconds of CPU (and megabytes of memory) by design, so it runs in a
worker thread, at most one per CPU at a time: more would only queue in the CPU and multiply the
memory a burst of logins takes.

Timing: checking a password against a stored hash costs one hash; so does checking it against a
missing, malformed or unusable one, on purpose. A login for an email no user has calls
`verify_dummy_password`, which costs the same, so response times don't tell which emails exist.
"""

from __future__ import annotations

import functools
import inspect
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

from kwik.contrib.auth.passwords.hashers import (
    Argon2Hasher,
    PasswordHasher,
    PBKDF2SHA256Hasher,
    ScryptHasher,
)
from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "UNUSABLE_PASSWORD_PREFIX",
    "Verification",
    "get_hashers",
    "hash_password",
    "is_password_usable",
    "needs_rehash",
    "unusable_password",
    "verify_dummy_password",
    "verify_password",
]

UNUSABLE_PASSWORD_PREFIX = "!"
"""Starts a stored password no password matches (see `unusable_password`)."""
DEFAULT_HASHERS: tuple[type[PasswordHasher], ...] = (
    Argon2Hasher,
    ScryptHasher,
    PBKDF2SHA256Hasher,
)

T = TypeVar("T")
_limiter: RunVar[CapacityLimiter] = RunVar("kwik_password_hashing")


@dataclass(frozen=True)
class Verification:
    """The outcome of `verify_password`: whether it matched, and a hash to store instead.

    `new_hash` is set when the password matched a hash made by an older hasher or with other
    parameters than today's: store it, and the next check is at today's cost.
    Truthy when the password matched.
    """

    ok: bool
    new_hash: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def get_hashers() -> tuple[PasswordHasher, ...]:
    """The hashers `PASSWORD_HASHERS` names (or the default ones), the preferred one first."""
    from kwik.conf import settings

    return _hashers(tuple(settings.PASSWORD_HASHERS))


@functools.lru_cache(maxsize=16)
def _hashers(paths: tuple[str, ...]) -> tuple[PasswordHasher, ...]:
    if not paths:
        return tuple(cls() for cls in DEFAULT_HASHERS if cls.available())
    return tuple(_load(path)() for path in paths)


def _load(path: str) -> type[PasswordHasher]:
    from kwik.imports import import_string

    found = import_string(path, setting="PASSWORD_HASHERS")
    if not (inspect.isclass(found) and issubclass(found, PasswordHasher)):
        raise ImproperlyConfigured(
            f"PASSWORD_HASHERS: {path!r} is not a PasswordHasher subclass "
            "(from kwik.contrib.auth.passwords)"
        )
    if not found.available():
        raise ImproperlyConfigured(
            f"PASSWORD_HASHERS: {path!r} can't run here: {found.install_hint}"
        )
    return found


def _hasher_for(hashers: tuple[PasswordHasher, ...], encoded: str) -> PasswordHasher | None:
    algorithm = encoded.partition("$")[0]
    return next((hasher for hasher in hashers if hasher.algorithm == algorithm), None)


def is_password_usable(encoded: str | None) -> bool:
    """Whether some password could match the stored `encoded` (not empty, not unusable)."""
    return bool(encoded) and not str(encoded).startswith(UNUSABLE_PASSWORD_PREFIX)


def unusable_password() -> str:
    """A stored password that no password matches: `!` and random text (told apart in logs)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def needs_rehash(encoded: str) -> bool:
    """Whether `encoded` was made by another hasher than the preferred one, or with other
    parameters (checked without a password, e.g. to report old hashes)."""
    preferred = get_hashers()[0]
    if encoded.partition("$")[0] != preferred.algorithm:
        return True
    return preferred.needs_rehash(encoded)


async def _in_thread(function: Callable[..., T], *args: object) -> T:
    limiter = _limiter.get(None)
    if limiter is None:
        limiter = CapacityLimiter(os.cpu_count() or 1)
        _limiter.set(limiter)
    return await anyio.to_thread.run_sync(function, *args, limiter=limiter)


def _check_type(password: object) -> None:
    if not isinstance(password, str):
        raise TypeError(f"a password is a str, not {type(password).__name__}")


async def hash_password(password: str) -> str:
    """`password`'s encoded hash, by the preferred hasher, with a new salt.

    Example:
        user.password = await hash_password("correct horse battery staple")
    """
    _check_type(password)
    return await _in_thread(get_hashers()[0].hash, password)


async def verify_password(password: str, encoded: str) -> Verification:
    """Whether `password` matches the stored `encoded` hash, and a hash to store instead when
    that one is out of date.

    An unusable, malformed or unknown-algorithm hash doesn't match, after the time a real check
    takes; nothing is raised or logged.

    Example:
        checked = await verify_password(raw, user.password)
        if checked.ok and checked.new_hash:
            user.password = checked.new_hash
    """
    _check_type(password)
    hashers = get_hashers()
    hasher = _hasher_for(hashers, encoded) if is_password_usable(encoded) else None
    if hasher is None:
        await _in_thread(hashers[0].hash, password)
        return Verification(False)
    return await _in_thread(_verify, hasher, hashers[0], password, encoded)


def _verify(
    hasher: PasswordHasher, preferred: PasswordHasher, password: str, encoded: str
) -> Verification:
    if not hasher.verify(password, encoded):
        return Verification(False)
    if hasher.algorithm != preferred.algorithm or preferred.needs_rehash(encoded):
        return Verification(True, preferred.hash(password))
    return Verification(True)


async def verify_dummy_password(password: str) -> Verification:
    """A check that never matches and costs what `verify_password` costs: call it when no user
    has the login given, so a wrong email takes as long as a wrong password.

    Example:
        user = await find_user(session, email)
        if user is None:
            checked = await verify_dummy_password(raw)
        else:
            checked = await verify_password(raw, user.password)
    """
    _check_type(password)
    await _in_thread(get_hashers()[0].hash, password)
    return Verification(False)
