"""CSRF tokens on their own: masking, matching and the signed cookie."""

from __future__ import annotations

import pytest

import kwik
from kwik.contrib.security.csrf.tokens import (
    mask,
    new_secret,
    secret_of_cookie,
    sign_secret,
    token_matches,
)
from kwik.testing import override_settings
from tests.support import Project

KEY = "tests-of-kwik-csrf-tokens-with-a-long-enough-random-secret-key-0123456789"


@pytest.fixture(autouse=True)
def configured(project: Project) -> None:
    kwik.setup(project.settings(f"SECRET_KEY = {KEY!r}\n"))


def test_a_masked_token_matches_its_cookie():
    secret = new_secret()

    assert token_matches(mask(secret), sign_secret(secret))


def test_two_masks_of_one_secret_differ():
    secret = new_secret()

    assert mask(secret) != mask(secret)


def test_a_token_of_another_secret_does_not_match():
    assert not token_matches(mask(new_secret()), sign_secret(new_secret()))


def test_the_cookie_value_itself_matches():
    cookie = sign_secret(new_secret())

    assert token_matches(cookie, cookie)


def test_a_cookie_signed_with_another_key_holds_no_secret():
    secret = new_secret()
    cookie = sign_secret(secret)

    with override_settings(SECRET_KEY=KEY[::-1]):
        assert secret_of_cookie(cookie) is None
        assert not token_matches(mask(secret), cookie)


@pytest.mark.parametrize(
    "cookie",
    [None, "", "no-signature", "a.b", "é.é"],
)
def test_a_malformed_cookie_holds_no_secret(cookie):
    assert secret_of_cookie(cookie) is None


@pytest.mark.parametrize("token", ["", "x", "A" * 85, "A" * 87, "!" * 86, "é" * 86])
def test_a_malformed_token_matches_nothing(token):
    assert not token_matches(token, sign_secret(new_secret()))


def test_a_signed_secret_of_the_wrong_length_is_refused():
    from kwik.signing import Signer

    short = Signer("kwik.contrib.security.csrf").sign("c2hvcnQ")

    assert secret_of_cookie(short) is None
