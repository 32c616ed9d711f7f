"""`kwik apikeys create|list|revoke|rotate` on SQLite and PostgreSQL: a new key is printed once,
alone on stdout; listings never show a secret; every mistake is one `Error:` line saying what to
do, with a non-zero exit (2 for bad input, 1 for a key that doesn't exist or can't change)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

import kwik
from kwik.cli import main
from kwik.conf import ENVIRONMENT_VARIABLE
from kwik.contrib.security.apikeys import APIKey, APIKeyRefused, authenticate_api_key, parse_key
from tests.contrib.security.apikeys.conftest import prepare
from tests.support import Project, run_kwik

SECRET_KEY = "tests-of-the-apikeys-commands-with-a-long-enough-random-secret-key-0123456789"
SETTINGS = f"""
SECRET_KEY = {SECRET_KEY!r}
INSTALLED_APPS = ["kwik.contrib.security"]
API_KEY_RATE_LIMIT_TIERS = {{"pro": "100/second"}}
"""
KEY = re.compile(r"^kwk_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$")
WARNING = "Copy this key now: it won't be shown again (only its digest is stored)."


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The one `Error:` line, checked to be all the command printed."""
        assert self.code != 0, self
        assert self.out == "", self
        [line] = self.err.splitlines()
        assert line.startswith("Error: "), self.err
        return line.removeprefix("Error: ")


@pytest.fixture
def keys_project(project: Project, keys_database: str, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project with security on the module's database (migrated, emptied), loaded here and
    found by `kwik`."""
    from kwik.db import database

    project.settings(SETTINGS + f"DATABASE_URL = {keys_database!r}\n")
    project.pyproject("proj.settings")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "proj.settings")
    kwik.setup("proj.settings")

    async def ready() -> None:
        try:
            await prepare(keys_database)
        finally:
            await database().dispose()

    asyncio.run(ready())
    return project


@pytest.fixture
def call(capsys: pytest.CaptureFixture[str]):
    """`kwik ARGS` through the runner's entry point, in this process."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        captured = capsys.readouterr()
        code = exited.value.code
        return Ran(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run


def use(key: str) -> APIKey | str:
    """The row `key` authenticates as, or the reason it is refused."""
    from kwik.db import database, session

    async def run() -> APIKey | str:
        try:
            async with session() as db:
                return await authenticate_api_key(db, key)
        except APIKeyRefused as refused:
            return refused.reason
        finally:
            await database().dispose()

    return asyncio.run(run())


def created(call, *args: str) -> str:
    ran = call("apikeys", "create", *args)
    assert ran.code == 0, ran
    return ran.out.strip()


def key_id(key: str) -> str:
    parsed = parse_key(key)
    assert parsed is not None
    return parsed.key_id


# create ----------------------------------------------------------------------------------------


def test_create_prints_the_key_alone_on_stdout_and_says_it_wont_be_shown_again(keys_project, call):
    ran = call("apikeys", "create", "billing", "--scope", "orders:read", "--scope", "orders:*")

    assert ran.code == 0, ran
    [key] = ran.out.splitlines()
    assert KEY.match(key)
    assert ran.err.splitlines() == [
        f"Created API key kwk_{key_id(key)} ('billing'; scopes orders:read, orders:*; expires -).",
        WARNING,
    ]
    stored = use(key)
    assert isinstance(stored, APIKey)
    assert (stored.name, stored.scopes, stored.expires_at, stored.tier) == (
        "billing",
        ["orders:read", "orders:*"],
        None,
        None,
    )


def test_create_takes_an_expiry_and_a_tier(keys_project, call):
    ran = call("apikeys", "create", "partner", "--expires-in", "30d", "--tier", "pro")

    stored = use(ran.out.strip())
    assert isinstance(stored, APIKey)
    assert stored.tier == "pro"
    assert stored.expires_at is not None
    assert (
        timedelta(days=29, hours=23) < stored.expires_at - stored.created_at <= timedelta(days=30)
    )
    assert "; tier pro)." in ran.err


# list ------------------------------------------------------------------------------------------


def test_list_shows_every_key_and_its_state_never_a_secret(keys_project, call):
    kept = created(call, "billing", "--scope", "orders:read", "--expires-in", "1w")
    rotated = created(call, "reports", "--scope", "reports:*")
    revoked = created(call, "old")
    new = call("apikeys", "rotate", key_id(rotated)).out.strip()
    call("apikeys", "revoke", key_id(revoked))
    use(kept)  # last_used_at

    ran = call("apikeys", "list")

    assert ran.code == 0, ran
    lines = ran.out.splitlines()
    assert lines[0].split() == ["KEY", "NAME", "SCOPES", "TIER", "STATE", "EXPIRES", "LAST", "USED"]
    rows = [line.split()[:5] for line in lines[1:]]
    assert rows == [
        [f"kwk_{key_id(kept)}", "billing", "orders:read", "-", "active"],
        [f"kwk_{key_id(rotated)}", "reports", "reports:*", "-", "rotating"],
        [f"kwk_{key_id(revoked)}", "old", "-", "-", "revoked"],
    ]
    assert lines[1].endswith(" UTC")  # expiry and last use shown
    for key in (kept, rotated, revoked, new):
        assert parse_key(key).secret not in ran.out  # type: ignore[union-attr]


def test_list_without_keys_says_how_to_make_one(keys_project, call):
    ran = call("apikeys", "list")

    assert ran.out.strip() == "No API keys yet: `kwik apikeys create NAME --scope ...` makes one."


# revoke ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "prefixed", "whole-key"])
def test_revoke_takes_the_key_id_as_list_shows_it_or_the_key(keys_project, call, form):
    key = created(call, "billing")
    named = {"id": key_id(key), "prefixed": f"kwk_{key_id(key)}", "whole-key": key}[form]

    ran = call("apikeys", "revoke", named)

    assert (ran.code, ran.out) == (0, f"Revoked API key kwk_{key_id(key)} ('billing').\n")
    assert use(key) == "revoked"


def test_revoking_twice_says_it_was_already_revoked(keys_project, call):
    key = created(call, "billing")
    call("apikeys", "revoke", key_id(key))

    again = call("apikeys", "revoke", key_id(key))

    assert again.code == 0
    assert again.out.startswith(f"API key kwk_{key_id(key)} was already revoked on ")


# rotate ----------------------------------------------------------------------------------------


def test_rotate_prints_the_new_key_and_the_old_one_works_until_the_overlap_ends(keys_project, call):
    old = created(call, "billing", "--scope", "orders:read")

    ran = call("apikeys", "rotate", key_id(old), "--overlap", "1h")

    assert ran.code == 0, ran
    [new] = ran.out.splitlines()
    assert key_id(new) == key_id(old)
    assert new != old
    summary, warning = ran.err.splitlines()
    assert re.fullmatch(
        rf"Rotated API key kwk_{key_id(old)} \('billing'\): the old secret keeps working until "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\.",
        summary,
    )
    assert warning == WARNING
    assert isinstance(use(old), APIKey)
    assert isinstance(use(new), APIKey)


def test_rotate_with_no_overlap_ends_the_old_key_now(keys_project, call):
    old = created(call, "billing")

    ran = call("apikeys", "rotate", key_id(old), "--overlap", "0")

    assert "the old secret stopped working now." in ran.err
    assert use(old) == "invalid"
    assert isinstance(use(ran.out.strip()), APIKey)


def test_rotating_during_an_overlap_says_the_secret_before_stopped(keys_project, call):
    first = created(call, "billing")
    call("apikeys", "rotate", key_id(first))

    ran = call("apikeys", "rotate", key_id(first))

    assert "the secret before it, still in its overlap, stopped working now." in ran.err
    assert use(first) == "invalid"


# mistakes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (
            ["create", "billing", "--scope", "orders read"],
            2,
            "'orders read' is not a scope: a scope is words joined by ':' such as 'orders:read' "
            "(letters, digits, '_', '-', '.'), or ending in ':*' for all under it, or '*'",
        ),
        (
            ["create", "billing", "--expires-in", "3 days"],
            2,
            "--expires-in: '3 days' is not a duration: use a number and a unit (s, m, h, d, w), "
            "e.g. 30s, 15m, 2h, 7d or 1h30m",
        ),
        (["create", "billing", "--expires-in", "0"], 2, "--expires-in must be longer than 0"),
        (
            ["create", "billing", "--tier", "gold"],
            2,
            "Unknown rate-limit tier 'gold': API_KEY_RATE_LIMIT_TIERS names pro",
        ),
        (
            ["create", " "],
            2,
            "An API key needs a name of 1 to 100 characters saying what it is for (such as "
            "'billing-service'), not ' '",
        ),
        (
            ["revoke", "nope"],
            1,
            "No API key 'nope': `kwik apikeys list` shows the key ids (the KEY column)",
        ),
        (
            ["rotate", "kwk_AAAAAAAAAAAA"],
            1,
            "No API key 'kwk_AAAAAAAAAAAA': `kwik apikeys list` shows the key ids (the KEY column)",
        ),
        (
            ["rotate", "AAAAAAAAAAAA", "--overlap", "soon"],
            2,
            "--overlap: 'soon' is not a duration: use a number and a unit (s, m, h, d, w), "
            "e.g. 30s, 15m, 2h, 7d or 1h30m",
        ),
    ],
    ids=[
        "bad-scope",
        "bad-duration",
        "zero-expiry",
        "unknown-tier",
        "blank-name",
        "unknown-revoke",
        "unknown-rotate",
        "bad-overlap",
    ],
)
def test_a_mistake_is_one_error_line_and_changes_nothing(keys_project, call, args, code, error):
    ran = call("apikeys", *args)

    assert (ran.code, ran.error) == (code, error)
    assert call("apikeys", "list").out.startswith("No API keys yet")


def test_a_revoked_key_cant_be_rotated(keys_project, call):
    key = created(call, "billing")
    call("apikeys", "revoke", key_id(key))

    ran = call("apikeys", "rotate", key_id(key))

    assert (ran.code, ran.error) == (
        1,
        f"API key {key_id(key)} is revoked: create a new key instead of rotating",
    )


def test_a_database_without_the_tables_says_to_migrate(
    project: Project, database_url: str, monkeypatch: pytest.MonkeyPatch, call
):
    project.settings(SETTINGS + f"DATABASE_URL = {database_url!r}\n")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "proj.settings")

    ran = call("apikeys", "list")

    assert ran.error.startswith("The database refused: ")
    assert ran.error.endswith("Has `kwik migrate` created the security tables?")


# The real script -------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_kwik_script_creates_rotates_and_revokes(keys_project: Project):
    def kwik_(*args: str) -> Ran:
        done = run_kwik("apikeys", *args, cwd=keys_project.root)
        return Ran(done.returncode, done.stdout, done.stderr)

    made = kwik_("create", "billing", "--scope", "orders:read", "--expires-in", "90d")
    key = made.out.strip()
    rotated = kwik_("rotate", key_id(key), "--overlap", "0")
    revoked = kwik_("revoke", f"kwk_{key_id(key)}")

    assert (made.code, WARNING in made.err, bool(KEY.match(key))) == (0, True, True)
    assert rotated.code == 0
    assert KEY.match(rotated.out.strip())
    assert revoked.out == f"Revoked API key kwk_{key_id(key)} ('billing').\n"
    assert use(rotated.out.strip()) == "revoked"
    assert use(key) == "invalid"
