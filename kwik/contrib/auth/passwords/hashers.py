"""Password hashers: scrypt and PBKDF2-SHA256 from the standard library, Argon2 when installed.

Each encoded hash carries everything needed to check a password against it, so changing the
parameters (or the hasher) never locks anyone out: old hashes still verify, and are replaced on
the next successful login (`needs_rehash`).

    scrypt$n=16384,r=8,p=5$<salt>$<hash>
    pbkdf2_sha256$i=600000$<salt>$<hash>
    argon2$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>   (argon2's own PHC string after `argon2`)

Salts and hashes are unpadded base64. The parameters are class attributes, so a project tunes a
hasher by subclassing it and naming the subclass in `PASSWORD_HASHERS`:

    class StrongerScryptHasher(ScryptHasher):
        n = 2**15

These are CPU-bound and synchronous on purpose; `kwik.contrib.auth.passwords.hashing` runs them
in worker threads. A hash that can't be read (malformed, wrong algorithm, absurd parameters)
never raises from `verify`: it just doesn't match.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from typing import ClassVar

__all__ = [
    "Argon2Hasher",
    "FastScryptHasher",
    "PBKDF2SHA256Hasher",
    "PasswordHasher",
    "ScryptHasher",
    "argon2_available",
]

_SALT_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _params(text: str) -> dict[str, int]:
    """`n=16384,r=8,p=5` -> {"n": 16384, "r": 8, "p": 5}; ValueError when malformed."""
    found: dict[str, int] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not value.isdigit() or key in found:
            raise ValueError(f"bad parameter {item!r}")
        found[key] = int(value)
    return found


class PasswordHasher(ABC):
    """One hashing scheme. Subclass to add one, or to change a scheme's parameters.

    `algorithm` is the first `$`-separated field of the hashes it makes, and how a stored hash
    finds the hasher that checks it.
    """

    algorithm: ClassVar[str]
    for_tests: ClassVar[bool] = False
    """True for deliberately cheap hashers; `kwik check --deploy` refuses them first in line."""
    install_hint: ClassVar[str] = ""
    """What to install when `available()` is false."""

    @abstractmethod
    def hash(self, password: str) -> str:
        """A new encoded hash of `password`, with a new random salt."""

    @abstractmethod
    def verify(self, password: str, encoded: str) -> bool:
        """Whether `password` matches `encoded`.

        A hash it can't read doesn't match (never an error), after as long as a check takes.
        """

    @abstractmethod
    def needs_rehash(self, encoded: str) -> bool:
        """Whether `encoded` was made with other parameters than this hasher's current ones."""

    @classmethod
    def available(cls) -> bool:
        """Whether what the hasher needs is installed."""
        return True

    def describe(self) -> str:
        return f"{type(self).__name__} ({self.algorithm})"


class _KDFHasher(PasswordHasher):
    """`algorithm$k=v,...$salt$hash` schemes computed with a key-derivation function."""

    param_names: ClassVar[tuple[str, ...]]

    @abstractmethod
    def current(self) -> dict[str, int]:
        """This hasher's parameters, in `param_names` order."""

    @abstractmethod
    def derive(self, password: bytes, salt: bytes, params: dict[str, int]) -> bytes:
        """The key; ValueError (or OverflowError, MemoryError) on parameters it refuses."""

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(_SALT_BYTES)
        params = self.current()
        digest = self.derive(password.encode("utf-8"), salt, params)
        shown = ",".join(f"{name}={params[name]}" for name in self.param_names)
        return f"{self.algorithm}${shown}${_b64(salt)}${_b64(digest)}"

    def decode(self, encoded: str) -> tuple[dict[str, int], bytes, bytes]:
        """Parameters, salt and hash of `encoded`; ValueError when it isn't this scheme's."""
        algorithm, params, salt, digest = encoded.split("$")
        if algorithm != self.algorithm:
            raise ValueError(f"not a {self.algorithm} hash")
        found = _params(params)
        if set(found) != set(self.param_names):
            raise ValueError(f"{self.algorithm} needs parameters {self.param_names}")
        return found, _unb64(salt), _unb64(digest)

    def verify(self, password: str, encoded: str) -> bool:
        try:
            params, salt, expected = self.decode(encoded)
            actual = self.derive(password.encode("utf-8"), salt, params)
        except (ValueError, OverflowError, MemoryError):
            self.hash(password)  # an unreadable hash takes as long to refuse as a readable one
            return False
        return hmac.compare_digest(actual, expected)

    def needs_rehash(self, encoded: str) -> bool:
        try:
            params, _, _ = self.decode(encoded)
        except ValueError:
            return True
        return params != self.current()


class ScryptHasher(_KDFHasher):
    """scrypt (`hashlib.scrypt`, memory-hard). The default without argon2-cffi.

    n=2**14, r=8, p=5 is one of OWASP's equivalent minimums (16 MiB per hash), as Django uses.
    """

    algorithm = "scrypt"
    param_names = ("n", "r", "p")
    n: ClassVar[int] = 2**14
    r: ClassVar[int] = 8
    p: ClassVar[int] = 5
    dklen: ClassVar[int] = 64

    def current(self) -> dict[str, int]:
        return {"n": self.n, "r": self.r, "p": self.p}

    def derive(self, password: bytes, salt: bytes, params: dict[str, int]) -> bytes:
        n, r, p = params["n"], params["r"], params["p"]
        if r < 1 or p < 1 or n < 2 or n & (n - 1):
            raise ValueError("scrypt needs n a power of two above 1, and r, p at least 1")
        maxmem = 128 * r * (n + p + 2) + 1024 * 1024
        return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=self.dklen)


class FastScryptHasher(ScryptHasher):
    """scrypt at a cost of well under a millisecond, FOR TESTS ONLY.

    Its hashes are ordinary scrypt hashes with small parameters, so the real `ScryptHasher`
    verifies them (and upgrades them). `kwik check --deploy` reports it when it hashes new
    passwords.
    """

    for_tests = True
    n = 2**4
    r = 1
    p = 1


class PBKDF2SHA256Hasher(_KDFHasher):
    """PBKDF2-HMAC-SHA256 (`hashlib.pbkdf2_hmac`), for deployments that need a FIPS-approved
    function. 600,000 iterations is OWASP's recommendation for it."""

    algorithm = "pbkdf2_sha256"
    param_names = ("i",)
    iterations: ClassVar[int] = 600_000
    dklen: ClassVar[int] = 32

    def current(self) -> dict[str, int]:
        return {"i": self.iterations}

    def derive(self, password: bytes, salt: bytes, params: dict[str, int]) -> bytes:
        if params["i"] < 1:
            raise ValueError("pbkdf2 needs at least one iteration")
        return hashlib.pbkdf2_hmac("sha256", password, salt, params["i"], dklen=self.dklen)


def argon2_available() -> bool:
    """Whether argon2-cffi is installed (`pip install 'kwik[argon2]'`)."""
    try:
        import argon2  # noqa: F401
    except ImportError:
        return False
    return True


class Argon2Hasher(PasswordHasher):
    """Argon2id through argon2-cffi: the default when it is installed.

    time_cost=3, memory_cost=64 MiB, parallelism=4 is RFC 9106's second recommended option
    (and argon2-cffi's default).
    """

    algorithm = "argon2"
    install_hint = "it needs argon2-cffi: pip install 'kwik[argon2]'"
    time_cost: ClassVar[int] = 3
    memory_cost: ClassVar[int] = 65536
    """KiB."""
    parallelism: ClassVar[int] = 4
    hash_len: ClassVar[int] = 32

    def __init__(self) -> None:
        import argon2

        self._argon2 = argon2
        self._hasher = argon2.PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_cost,
            parallelism=self.parallelism,
            hash_len=self.hash_len,
            salt_len=_SALT_BYTES,
            type=argon2.Type.ID,
        )

    @classmethod
    def available(cls) -> bool:
        return argon2_available()

    def hash(self, password: str) -> str:
        return self.algorithm + self._hasher.hash(password)

    def _phc(self, encoded: str) -> str:
        prefix, sep, rest = encoded.partition("$")
        if prefix != self.algorithm or not sep:
            raise ValueError("not an argon2 hash")
        return "$" + rest

    def verify(self, password: str, encoded: str) -> bool:
        exceptions = self._argon2.exceptions
        try:
            return bool(self._hasher.verify(self._phc(encoded), password))
        except exceptions.VerifyMismatchError:
            return False
        except (exceptions.VerificationError, exceptions.InvalidHashError, ValueError):
            self.hash(password)  # an unreadable hash takes as long to refuse as a readable one
            return False

    def needs_rehash(self, encoded: str) -> bool:
        try:
            return bool(self._hasher.check_needs_rehash(self._phc(encoded)))
        except (ValueError, self._argon2.exceptions.InvalidHashError):
            return True
