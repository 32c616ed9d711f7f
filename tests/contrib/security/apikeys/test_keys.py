"""The text of an API key: `{prefix}_{key_id}_{secret}{checksum}`, recognisable, and checked for
shape and checksum without a database; only its keyed digest is ever stored."""

from __future__ import annotations

import re

import pytest

from kwik.contrib.security.apikeys.keys import (
    ALPHABET,
    ParsedKey,
    checksum,
    digests_match,
    generate_key,
    parse_key,
    secret_digest,
)
from kwik.exceptions import ImproperlyConfigured

SHAPE = re.compile(r"^kwk_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$")


def test_a_new_key_has_the_prefix_a_12_character_id_and_a_32_character_secret():
    key = generate_key(prefix="kwk")

    assert SHAPE.match(key.text)
    assert len(key.key_id) == 12
    assert len(key.secret) == 32
    assert key.text == f"kwk_{key.key_id}_{key.secret}{checksum(key.text[:-6])}"


def test_new_keys_are_random():
    keys = [generate_key(prefix="kwk") for _ in range(200)]

    assert len({key.key_id for key in keys}) == 200
    assert len({key.secret for key in keys}) == 200
    assert set("".join(key.secret for key in keys)) <= set(ALPHABET)


def test_a_rotation_keeps_the_key_id_and_draws_a_new_secret():
    first = generate_key(prefix="kwk")

    second = generate_key(first.key_id, prefix="kwk")

    assert second.key_id == first.key_id
    assert second.secret != first.secret


def test_a_key_parses_back_into_its_parts():
    key = generate_key(prefix="kwk")

    assert parse_key(key.text, prefix="kwk") == key


def test_a_prefix_may_hold_underscores_like_live_and_test_keys():
    key = generate_key(prefix="acme_live")

    assert key.text.startswith("acme_live_")
    assert parse_key(key.text, prefix="acme_live") == key
    assert parse_key(key.text, prefix="acme") is None


def test_every_single_character_change_is_caught_by_the_checksum():
    text = generate_key(prefix="kwk").text
    accepted = []
    for position in range(len(text)):
        for replacement in "0aZ_":
            changed = text[:position] + replacement + text[position + 1 :]
            if changed != text and parse_key(changed, prefix="kwk") is not None:
                accepted.append(changed)

    assert accepted == []


def test_two_swapped_neighbours_are_caught():
    text = generate_key(prefix="kwk").text
    swaps = [
        text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        for i in range(4, len(text) - 1)
        if text[i] != text[i + 1]
    ]

    assert [swap for swap in swaps if parse_key(swap, prefix="kwk") is not None] == []


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "kwk_",
        "Bearer kwk_abc",
        "not-a-key",
        "x" * 10_000,
        "kwk_" + "a" * 12 + "_" + "b" * 38 + "c",  # one character too long
        "kwk_" + "a" * 12 + "_" + "b" * 37,  # one too short
        "kwk_" + "a" * 11 + "_" + "b" * 39,  # the separator moved
        "kwk_" + "a" * 12 + "-" + "b" * 38,
        "kwk_" + "é" * 12 + "_" + "b" * 38,
        "kwk_" + "a" * 12 + "_" + "b" * 37 + "\n",
    ],
)
def test_text_that_is_not_a_key_is_refused(garbage: str):
    assert parse_key(garbage, prefix="kwk") is None


def test_a_key_of_another_prefix_is_refused_even_with_a_good_checksum():
    other = generate_key(prefix="other").text

    assert parse_key(other, prefix="kwk") is None


def test_surrounding_whitespace_is_not_part_of_a_key():
    text = generate_key(prefix="kwk").text

    assert parse_key(f" {text}", prefix="kwk") is None


@pytest.mark.parametrize("prefix", ["", "9kwk", "kwk-live", "k" * 17, "kwk live"])
def test_a_prefix_that_cant_start_a_key_is_refused_with_what_to_use(prefix: str):
    with pytest.raises(ImproperlyConfigured, match=r"API_KEY_PREFIX .* 1 to 16 letters"):
        generate_key(prefix=prefix)


def test_a_malformed_key_id_for_a_rotation_is_refused():
    with pytest.raises(ValueError, match="12 base62 characters"):
        generate_key("short", prefix="kwk")


def test_a_parsed_keys_repr_leaves_the_secret_out():
    key = generate_key(prefix="kwk")

    assert key.secret not in repr(key)
    assert key.key_id in repr(key)


def test_the_digest_is_keyed_bound_to_the_key_id_and_holds_neither_part(project):
    import kwik

    project.settings('SECRET_KEY = "one-long-enough-secret-key-for-the-digest-tests-0123456789"')
    kwik.setup("proj.settings")
    key = generate_key(prefix="kwk")
    digest = secret_digest(key)

    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert key.secret not in digest
    assert secret_digest(ParsedKey("kwk", key.key_id, key.secret)) == digest
    assert secret_digest(ParsedKey("kwk", "A" * 12, key.secret)) != digest
    from kwik.testing import override_settings

    with override_settings(SECRET_KEY="another-long-enough-secret-key-for-the-digest-tests-987"):
        assert secret_digest(key) != digest


def test_digests_are_compared_whole():
    assert digests_match("ab" * 32, "ab" * 32)
    assert not digests_match("ab" * 32, "ab" * 31 + "ac")
    assert not digests_match("ab" * 32, None)
