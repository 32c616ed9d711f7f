"""Password hashing: hashes carry their parameters, are checked in constant time, upgrade when the
preferred hasher or its parameters change, never raise on a bad hash, and run off the event loop.

Most tests hash with cheap subclasses; the `real cost` ones use the shipped parameters.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable
from pathlib import Path

import anyio
import pytest

import kwik
from kwik.apps import apps
from kwik.contrib.auth.apps import AuthConfig
from kwik.contrib.auth.passwords import (
    Argon2Hasher,
    FastScryptHasher,
    PBKDF2SHA256Hasher,
    ScryptHasher,
    Verification,
    get_hashers,
    hash_password,
    is_password_usable,
    needs_rehash,
    unusable_password,
    verify_dummy_password,
    verify_password,
)
from kwik.exceptions import ImproperlyConfigured
from kwik.testing import override_settings
from tests.contrib.auth.foundation import FAST_HASHER, write_settings
from tests.support import Project

HERE = "tests.contrib.auth.test_passwords"


class CheapPBKDF2Hasher(PBKDF2SHA256Hasher):
    iterations = 1000


class LargerFastScryptHasher(FastScryptHasher):
    n = 2**5


class SlowScryptHasher(ScryptHasher):
    n = 2**16  # about a quarter of a second: long enough to watch the event loop meanwhile


@pytest.fixture(autouse=True)
def loaded(project: Project, tmp_path: Path) -> None:
    write_settings(project, f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}")
    kwik.setup("proj.settings")


def parts(encoded: str) -> list[str]:
    return encoded.split("$")


async def test_a_scrypt_hash_carries_its_algorithm_parameters_salt_and_hash():
    encoded = await hash_password("violet kumquat")

    algorithm, params, salt, digest = parts(encoded)
    assert (algorithm, params) == ("scrypt", "n=16,r=1,p=1")
    assert len(salt) == 22  # 16 random bytes, unpadded base64
    assert len(digest) == 86  # 64 bytes


async def test_two_hashes_of_one_password_differ_by_their_salt():
    first, second = await hash_password("violet kumquat"), await hash_password("violet kumquat")

    assert parts(first)[2] != parts(second)[2]
    assert first != second


async def test_the_right_password_matches_and_a_wrong_one_does_not():
    encoded = await hash_password("violet kumquat")

    assert await verify_password("violet kumquat", encoded) == Verification(True)
    assert await verify_password("violet kumquats", encoded) == Verification(False)
    assert await verify_password("", encoded) == Verification(False)


@pytest.mark.parametrize(
    ("hasher", "prefix"),
    [
        (f"{HERE}:CheapPBKDF2Hasher", "pbkdf2_sha256$i=1000$"),
        (f"{HERE}:LargerFastScryptHasher", "scrypt$n=32,r=1,p=1$"),
    ],
)
async def test_each_hasher_checks_its_own_hashes(hasher: str, prefix: str):
    with override_settings(PASSWORD_HASHERS=[hasher]):
        encoded = await hash_password("violet kumquat")

        assert encoded.startswith(prefix)
        assert await verify_password("violet kumquat", encoded)
        assert not await verify_password("violet", encoded)


async def test_real_cost_scrypt_uses_owasp_parameters():
    with override_settings(PASSWORD_HASHERS=["kwik.contrib.auth.passwords:ScryptHasher"]):
        encoded = await hash_password("violet kumquat")

        assert encoded.startswith("scrypt$n=16384,r=8,p=5$")
        assert await verify_password("violet kumquat", encoded)


async def test_real_cost_pbkdf2_uses_600000_iterations():
    with override_settings(PASSWORD_HASHERS=["kwik.contrib.auth.passwords:PBKDF2SHA256Hasher"]):
        encoded = await hash_password("violet kumquat")

        assert encoded.startswith("pbkdf2_sha256$i=600000$")
        assert await verify_password("violet kumquat", encoded)


async def test_real_cost_argon2id_is_the_default_when_installed():
    assert Argon2Hasher.available()
    with override_settings(PASSWORD_HASHERS=[]):
        assert [type(h) for h in get_hashers()] == [Argon2Hasher, ScryptHasher, PBKDF2SHA256Hasher]
        encoded = await hash_password("violet kumquat")

        assert encoded.startswith("argon2$argon2id$v=19$m=65536,t=3,p=4$")
        assert await verify_password("violet kumquat", encoded)
        assert not await verify_password("violet", encoded)


async def test_changed_parameters_need_a_rehash_and_a_match_returns_the_new_hash():
    old = await hash_password("violet kumquat")  # n=16
    with override_settings(PASSWORD_HASHERS=[f"{HERE}:LargerFastScryptHasher"]):
        assert needs_rehash(old)

        checked = await verify_password("violet kumquat", old)

        assert checked.ok
        assert checked.new_hash is not None
        assert checked.new_hash.startswith("scrypt$n=32,r=1,p=1$")
        assert not needs_rehash(checked.new_hash)
        assert await verify_password("violet kumquat", checked.new_hash) == Verification(True)


async def test_a_wrong_password_against_an_old_hash_gives_no_new_hash():
    old = await hash_password("violet kumquat")
    with override_settings(PASSWORD_HASHERS=[f"{HERE}:LargerFastScryptHasher"]):
        assert await verify_password("violet", old) == Verification(False, None)


async def test_a_hash_by_an_older_hasher_is_upgraded_to_the_preferred_one():
    with override_settings(PASSWORD_HASHERS=[f"{HERE}:CheapPBKDF2Hasher"]):
        old = await hash_password("violet kumquat")
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER, f"{HERE}:CheapPBKDF2Hasher"]):
        checked = await verify_password("violet kumquat", old)

    assert checked.ok
    assert checked.new_hash is not None
    assert checked.new_hash.startswith("scrypt$n=16,r=1,p=1$")


async def test_a_hash_whose_algorithm_no_configured_hasher_has_does_not_match():
    with override_settings(PASSWORD_HASHERS=[f"{HERE}:CheapPBKDF2Hasher"]):
        pbkdf2 = await hash_password("violet kumquat")

    assert await verify_password("violet kumquat", pbkdf2) == Verification(False)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain text",
        "md5$abc$def",
        "scrypt$",
        "scrypt$n=16,r=1,p=1$c2FsdA",
        "scrypt$n=16,r=1$c2FsdA$aGFzaA",
        "scrypt$n=15,r=1,p=1$c2FsdA$aGFzaA",
        "scrypt$n=16,r=0,p=1$c2FsdA$aGFzaA",
        "scrypt$n=x,r=1,p=1$c2FsdA$aGFzaA",
        "scrypt$n=16,n=16,r=1,p=1$c2FsdA$aGFzaA",
        "scrypt$n=16,r=1,p=1$not*base64$aGFzaA",
        "scrypt$n=1099511627776,r=8,p=1$c2FsdA$aGFzaA",
        "scrypt$n=16,r=1,p=1$c2FsdA$aGFzaA$extra",
        "pbkdf2_sha256$i=0$c2FsdA$aGFzaA",
        "argon2$argon2id$v=19$m=garbage",
        "argon2",
    ],
)
async def test_a_malformed_hash_does_not_match_and_raises_and_logs_nothing(
    encoded: str, caplog: pytest.LogCaptureFixture
):
    hashers = [FAST_HASHER, f"{HERE}:CheapPBKDF2Hasher", "kwik.contrib.auth.passwords:Argon2Hasher"]
    caplog.set_level(logging.DEBUG)
    with override_settings(PASSWORD_HASHERS=hashers):
        assert await verify_password("violet kumquat", encoded) == Verification(False)

    assert caplog.records == []


async def test_hashes_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch):
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    encoded = await hash_password("violet kumquat")
    monkeypatch.setattr(hmac, "compare_digest", recording)

    assert await verify_password("violet kumquat", encoded)
    assert not await verify_password("violet", encoded)
    assert len(compared) == 2
    assert all(len(a) == len(b) == 64 for a, b in compared)


async def test_an_unusable_password_never_matches():
    encoded = unusable_password()

    assert encoded.startswith("!")
    assert not is_password_usable(encoded)
    assert not is_password_usable("")
    assert unusable_password() != encoded
    assert await verify_password(encoded, encoded) == Verification(False)


async def test_the_dummy_check_never_matches_whatever_the_password():
    assert await verify_dummy_password("violet kumquat") == Verification(False)
    assert await verify_dummy_password("") == Verification(False)


async def test_real_cost_a_dummy_check_takes_as_long_as_a_real_one():
    """Without the dummy work a refusal would take microseconds instead of a hash's ~100 ms, so
    a loose band still tells; rounds interleave the three so other load hits each alike."""

    async def timed(check: Awaitable[Verification]) -> float:
        start = time.perf_counter()
        await check
        return time.perf_counter() - start

    with override_settings(PASSWORD_HASHERS=["kwik.contrib.auth.passwords:ScryptHasher"]):
        encoded = await hash_password("violet kumquat")
        rounds = [
            (
                await timed(verify_password("wrong password", encoded)),
                await timed(verify_dummy_password("wrong password")),
                await timed(verify_password("wrong password", "scrypt$nonsense")),
            )
            for _ in range(5)
        ]
    real, dummy, malformed = (min(times) for times in zip(*rounds, strict=True))

    assert 0.25 < dummy / real < 4
    assert 0.25 < malformed / real < 4


async def test_real_cost_hashing_leaves_the_event_loop_free():
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await anyio.sleep(0.005)
            ticks += 1

    with override_settings(PASSWORD_HASHERS=[f"{HERE}:SlowScryptHasher"]):
        async with anyio.create_task_group() as group:
            group.start_soon(tick)
            start = time.perf_counter()
            await hash_password("violet kumquat")
            elapsed = time.perf_counter() - start
            group.cancel_scope.cancel()

    assert elapsed > 0.05
    assert ticks >= 5  # the loop kept ticking while the hash was made (blocked, it can't)


async def test_a_password_must_be_text():
    with pytest.raises(TypeError, match="a password is a str, not bytes"):
        await hash_password(b"violet kumquat")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a password is a str, not NoneType"):
        await verify_password(None, "scrypt$x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hashers", "message"),
    [
        (["shop.nowhere.Hasher"], "PASSWORD_HASHERS: cannot import 'shop.nowhere'"),
        (
            ["kwik.contrib.auth.passwords:MinimumLengthValidator"],
            "PASSWORD_HASHERS: 'kwik.contrib.auth.passwords:MinimumLengthValidator' is not a "
            "PasswordHasher subclass",
        ),
    ],
)
async def test_a_wrong_hasher_setting_is_a_clear_error(hashers: list[str], message: str):
    with override_settings(PASSWORD_HASHERS=hashers), pytest.raises(ImproperlyConfigured) as error:
        await hash_password("violet kumquat")

    assert str(error.value).startswith(message)


def test_the_test_hasher_first_in_line_is_a_deploy_warning():
    config = apps.get_app_config("auth")
    assert isinstance(config, AuthConfig)

    found = config.check(deploy=True)
    assert [message.id for message in found] == ["auth.W001"]
    assert config.check(deploy=False) == []
    with override_settings(PASSWORD_HASHERS=[]):
        assert config.check(deploy=True) == []
