"""Creating, listing, revoking, rotating and authenticating keys in the database (SQLite and
PostgreSQL): the secret is stored only as a keyed digest, every unusable key is refused with its
reason, and `last_used_at` is written at most once per interval."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

import kwik.db
from kwik.contrib.security.apikeys import (
    APIKey,
    APIKeyRefused,
    authenticate_api_key,
    create_api_key,
    key_state,
    list_api_keys,
    parse_key,
    revoke_api_key,
)
from kwik.contrib.security.apikeys.store import _last_written
from tests.contrib.security.apikeys.helpers import (
    age,
    make_key,
    now_plus,
    reload,
    rotate,
    set_columns,
    statements,
    updates_of_last_used,
)


async def authenticate(key: str) -> APIKey:
    async with kwik.db.session() as session:
        return await authenticate_api_key(session, key)


async def refusal(key: str) -> APIKeyRefused:
    with pytest.raises(APIKeyRefused) as caught:
        await authenticate(key)
    return caught.value


# Creating ------------------------------------------------------------------------------------


async def test_a_new_key_stores_its_digest_never_its_secret(app):
    issued = await make_key("billing", ("orders:read", "orders:write"))
    parsed = parse_key(issued.key)
    assert parsed is not None

    async with kwik.db.session() as session:
        rows = (await session.execute(text("SELECT * FROM security_apikey"))).all()

    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert parsed.secret not in stored
    assert issued.key not in stored
    assert parsed.key_id in stored
    assert issued.row.secret_digest not in issued.key
    assert (issued.row.name, issued.row.scopes) == ("billing", ["orders:read", "orders:write"])


async def test_the_issued_key_unpacks_as_row_and_text_and_its_repr_hides_the_text(app):
    issued = await make_key()

    row, key = issued

    assert (row, key) == (issued.row, issued.key)
    assert key not in repr(issued)
    assert key not in f"{issued} {[issued]}"


async def test_a_key_may_expire_after_a_ttl_or_at_a_time(app):
    by_ttl = await make_key(ttl=timedelta(days=30))
    at = now_plus(days=2)
    by_time = await make_key("other", expires_at=at)

    assert by_ttl.row.expires_at is not None
    assert abs(by_ttl.row.expires_at - now_plus(days=30)) < timedelta(minutes=1)
    assert (await reload(by_time.row.key_id)).expires_at == at
    assert (await make_key("forever")).row.expires_at is None
    in_seconds = (await make_key("seconds", ttl=3600)).row.expires_at
    assert in_seconds is not None
    assert abs(in_seconds - now_plus(hours=1)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"scopes": ["orders read"]}, "'orders read' is not a scope"),
        ({"tier": "gold"}, "Unknown rate-limit tier 'gold'"),
        ({"ttl": timedelta(0)}, "ttl must be positive"),
        ({"expires_at": datetime(2020, 1, 1)}, "aware datetime"),
        ({"expires_at": datetime(2020, 1, 1, tzinfo=datetime.now().astimezone().tzinfo)}, "not in"),
        ({"ttl": timedelta(days=1), "expires_at": datetime(2999, 1, 1)}, "not both"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(app, options, message):
    arguments = {"name": "billing", "scopes": ["orders:read"], **options}

    with pytest.raises(ValueError, match=message):
        async with kwik.db.session() as session:
            await create_api_key(
                session, arguments.pop("name"), arguments.pop("scopes"), **arguments
            )

    async with kwik.db.session() as session:
        assert await list_api_keys(session) == []


async def test_keys_are_listed_oldest_first_whatever_their_state(app):
    first = await make_key("first")
    second = await make_key("second")
    async with kwik.db.session() as session:
        await revoke_api_key(session, await session.get(APIKey, first.row.id))

    async with kwik.db.session() as session:
        listed = await list_api_keys(session)

    assert [(key.name, key_state(key)) for key in listed] == [
        ("first", "revoked"),
        ("second", "active"),
    ]
    assert second.row.key_id == listed[1].key_id


# Authenticating ------------------------------------------------------------------------------


async def test_a_good_key_authenticates_as_its_row(app):
    issued = await make_key()

    key = await authenticate(issued.key)

    assert (key.key_id, key.name) == (issued.row.key_id, "billing")


async def test_a_malformed_key_is_refused_before_any_query(app):
    issued = await make_key()

    with statements() as seen:
        refused = await refusal(issued.key[:-1])

    assert refused.reason == "malformed"
    assert [s for s in seen if "security_apikey" in s] == []


async def test_an_unknown_key_and_a_wrong_secret_are_the_same_refusal(app):
    issued = await make_key()
    parsed = parse_key(issued.key)
    assert parsed is not None
    unknown = type(parsed)(parsed.prefix, "A" * 12, parsed.secret).text
    wrong_secret = type(parsed)(parsed.prefix, parsed.key_id, "B" * 32).text

    refusals = [await refusal(unknown), await refusal(wrong_secret)]

    assert [(r.reason, r.key_id, r.since) for r in refusals] == [("invalid", None, None)] * 2


async def test_a_revoked_key_is_refused(app):
    issued = await make_key()
    async with kwik.db.session() as session:
        assert await revoke_api_key(session, await session.get(APIKey, issued.row.id))
        assert not await revoke_api_key(session, await session.get(APIKey, issued.row.id))

    assert (await refusal(issued.key)).reason == "revoked"


async def test_a_wrong_secret_for_a_revoked_key_says_only_invalid(app):
    issued = await make_key()
    async with kwik.db.session() as session:
        await revoke_api_key(session, await session.get(APIKey, issued.row.id))
    parsed = parse_key(issued.key)
    assert parsed is not None

    guess = type(parsed)(parsed.prefix, parsed.key_id, "C" * 32).text

    assert (await refusal(guess)).reason == "invalid"


async def test_a_key_works_until_it_expires(app):
    issued = await make_key(ttl=timedelta(hours=1))
    assert await authenticate(issued.key)

    await age(issued.row.key_id, hours=1, seconds=1)

    refused = await refusal(issued.key)
    assert refused.reason == "expired"
    assert refused.key_id == issued.row.key_id
    assert refused.since == (await reload(issued.row.key_id)).expires_at


# Rotating ------------------------------------------------------------------------------------


async def test_a_rotation_keeps_the_key_id_and_both_secrets_work_during_the_overlap(app):
    old = await make_key()

    new = await rotate(old.row.key_id, timedelta(hours=1))

    assert parse_key(new.key).key_id == old.row.key_id  # type: ignore[union-attr]
    assert new.key != old.key
    assert (await authenticate(old.key)).key_id == old.row.key_id
    assert (await authenticate(new.key)).key_id == old.row.key_id
    assert key_state(await reload(old.row.key_id)) == "rotating"


async def test_the_old_secret_is_refused_as_rotated_after_the_overlap(app):
    old = await make_key()
    new = await rotate(old.row.key_id, timedelta(hours=1))

    await age(old.row.key_id, hours=1, seconds=1)

    assert (await refusal(old.key)).reason == "rotated"
    assert await authenticate(new.key)
    assert key_state(await reload(old.row.key_id)) == "active"


async def test_a_rotation_without_overlap_ends_the_old_secret_at_once(app):
    old = await make_key()

    new = await rotate(old.row.key_id, timedelta(0))

    assert (await refusal(old.key)).reason == "invalid"  # no digest of it is kept
    assert await authenticate(new.key)


async def test_the_overlap_defaults_to_the_setting(app):
    old = await make_key()

    await rotate(old.row.key_id)

    stored = await reload(old.row.key_id)
    assert stored.previous_valid_until is not None
    assert abs(stored.previous_valid_until - now_plus(hours=24)) < timedelta(minutes=1)


async def test_rotating_again_during_an_overlap_ends_the_first_secret(app):
    first = await make_key()
    second = await rotate(first.row.key_id, timedelta(hours=1))

    third = await rotate(first.row.key_id, timedelta(hours=1))

    assert (await refusal(first.key)).reason == "invalid"
    assert await authenticate(second.key)
    assert await authenticate(third.key)


async def test_scopes_tier_and_expiry_survive_a_rotation(app):
    old = await make_key("billing", ("orders:*",), ttl=timedelta(days=3))

    new = await rotate(old.row.key_id)

    assert (new.row.scopes, new.row.expires_at) == (["orders:*"], old.row.expires_at)


@pytest.mark.parametrize("state", ["revoked", "expired"])
async def test_a_revoked_or_expired_key_cannot_be_rotated(app, state):
    old = await make_key(ttl=timedelta(hours=1))
    if state == "revoked":
        await set_columns(old.row.key_id, revoked_at=now_plus())
    else:
        await age(old.row.key_id, hours=2)

    with pytest.raises(ValueError, match=f"is {state}: create a new key"):
        await rotate(old.row.key_id)


async def test_an_overlap_may_be_given_in_seconds(app):
    old = await make_key()

    await rotate(old.row.key_id, 600)

    stored = await reload(old.row.key_id)
    assert stored.previous_valid_until is not None
    assert abs(stored.previous_valid_until - now_plus(minutes=10)) < timedelta(minutes=1)


async def test_a_negative_overlap_is_refused(app):
    old = await make_key()

    with pytest.raises(ValueError, match="can't be negative"):
        await rotate(old.row.key_id, timedelta(seconds=-1))


# last_used_at --------------------------------------------------------------------------------


async def test_last_used_is_written_once_per_interval_not_per_request(app):
    issued = await make_key()

    with statements() as seen:
        for _ in range(5):
            await authenticate(issued.key)

    assert len(updates_of_last_used(seen)) == 1
    stored = await reload(issued.row.key_id)
    assert stored.last_used_at is not None
    assert abs(stored.last_used_at - now_plus()) < timedelta(minutes=1)


async def test_last_used_is_written_again_once_the_interval_has_passed(app):
    issued = await make_key()
    await authenticate(issued.key)
    await age(issued.row.key_id, minutes=6)
    _last_written.pop(issued.row.key_id)  # this process's memo ages with it

    await authenticate(issued.key)

    stored = await reload(issued.row.key_id)
    assert stored.last_used_at is not None
    assert stored.last_used_at > now_plus(minutes=-1)


async def test_the_memo_skips_the_statement_even_when_the_row_looks_stale(app):
    issued = await make_key()
    await authenticate(issued.key)
    await age(issued.row.key_id, minutes=6)  # the row says "due"; this process wrote just now

    with statements() as seen:
        await authenticate(issued.key)

    assert updates_of_last_used(seen) == []


async def test_a_use_another_process_recorded_meanwhile_is_not_written_again(app):
    issued = await make_key()
    async with kwik.db.session() as session:
        stale = await session.get(APIKey, issued.row.id)  # loaded before the other write
    assert stale is not None
    assert stale.last_used_at is None
    recorded = now_plus(seconds=-5)
    await set_columns(issued.row.key_id, last_used_at=recorded)  # another process's write

    from kwik.contrib.security.apikeys.store import _note_use

    async with kwik.db.session() as session:
        await _note_use(session, stale, now_plus())

    assert (await reload(issued.row.key_id)).last_used_at == recorded
    assert stale.last_used_at is None


async def test_the_secret_digest_changes_with_each_rotation(app):
    issued = await make_key()
    before = (await reload(issued.row.key_id)).secret_digest

    await rotate(issued.row.key_id)

    stored = await reload(issued.row.key_id)
    assert stored.previous_secret_digest == before
    assert stored.secret_digest != before
    async with kwik.db.session() as session:
        digests = list(await session.scalars(select(APIKey.secret_digest)))
    assert len(digests) == 1
