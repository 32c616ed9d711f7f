"""Password validators: each rule on passwords that pass and fail it, every broken rule reported
at once with a stable code, and configuration mistakes named with the setting."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import pytest

import kwik
from kwik.contrib.auth.passwords import (
    CommonPasswordValidator,
    InvalidPassword,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
    password_validators,
    validate_password,
)
from kwik.contrib.auth.passwords.validators import COMMON_PASSWORDS
from kwik.exceptions import ImproperlyConfigured
from kwik.testing import override_settings
from tests.contrib.auth.foundation import write_settings
from tests.support import Project


@dataclass
class Member:
    USERNAME_FIELD = "handle"
    EMAIL_FIELD = "email"
    handle: str
    email: str
    first_name: str = ""


def codes(error: pytest.ExceptionInfo[InvalidPassword]) -> list[str]:
    return [problem.code for problem in error.value.problems]


@pytest.fixture
def loaded(project: Project, tmp_path: Path) -> None:
    write_settings(project, f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}")
    kwik.setup("proj.settings")


@pytest.mark.parametrize("password", ["123456789", "a" * 9, ""])
def test_minimum_length_refuses_fewer_than_ten_characters(password: str):
    with pytest.raises(InvalidPassword) as error:
        MinimumLengthValidator().validate(password)

    assert codes(error) == ["password_too_short"]
    assert error.value.messages == [
        "The password is too short: it must have at least 10 characters."
    ]


def test_minimum_length_accepts_ten_characters_and_takes_its_own_minimum():
    MinimumLengthValidator().validate("a" * 10)
    with pytest.raises(InvalidPassword, match="at least 12 characters"):
        MinimumLengthValidator(min_length=12).validate("a" * 11)
    assert MinimumLengthValidator(12).help_text() == (
        "Your password must have at least 12 characters."
    )


@pytest.mark.parametrize("password", ["password", "Password", " qwerty ", "iloveyou", "dragon"])
def test_common_passwords_are_refused_whatever_their_case(password: str):
    with pytest.raises(InvalidPassword) as error:
        CommonPasswordValidator().validate(password)

    assert codes(error) == ["password_too_common"]


def test_an_uncommon_password_passes_the_common_list():
    CommonPasswordValidator().validate("violet-kumquat-harbour-42")


def test_the_shipped_list_is_djangos_with_its_attribution_beside_it():
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        passwords = [line.strip() for line in lines]

    assert len(passwords) == 19640
    assert passwords[:4] == ["123456", "123456789", "qwerty", "password"]
    data = COMMON_PASSWORDS.parent
    assert "Royce Williams" in (data / "README.md").read_text(encoding="utf-8")
    assert "Django Software Foundation" in (data / "LICENSE.django").read_text(encoding="utf-8")


def test_a_list_of_ones_own_in_plain_text_replaces_the_shipped_one(tmp_path: Path):
    own = tmp_path / "banned.txt"
    own.write_text("Kwik-Framework-2026\n\nshop-shop-shop\n", encoding="utf-8")
    validator = CommonPasswordValidator(password_list_path=own)

    with pytest.raises(InvalidPassword):
        validator.validate("kwik-framework-2026")
    validator.validate("password")


def test_an_unreadable_list_is_a_configuration_error(tmp_path: Path):
    with pytest.raises(ImproperlyConfigured, match="CommonPasswordValidator cannot read"):
        CommonPasswordValidator(password_list_path=tmp_path / "missing.txt.gz")


@pytest.mark.parametrize("password", ["1234567890123", "0000000000"])
def test_all_digit_passwords_are_refused(password: str):
    with pytest.raises(InvalidPassword) as error:
        NumericPasswordValidator().validate(password)

    assert codes(error) == ["password_entirely_numeric"]


@pytest.mark.parametrize("password", ["1234567890a", "violet-kumquat", "\u0661\u0662x"])
def test_passwords_with_anything_but_digits_pass_the_numeric_rule(password: str):
    NumericPasswordValidator().validate(password)


@pytest.mark.parametrize(
    "password", ["adalovelace1815", "Ada.Lovelace", "ada.lovelace@example.com", "LOVELACE!"]
)
def test_a_password_like_the_email_is_refused(password: str):
    with pytest.raises(InvalidPassword) as error:
        UserAttributeSimilarityValidator().validate(password, {"email": "ada.lovelace@example.com"})

    assert codes(error) == ["password_too_similar"]
    assert error.value.messages == ["The password is too similar to the email."]


def test_a_password_unlike_the_users_details_passes():
    UserAttributeSimilarityValidator().validate(
        "violet-kumquat-harbour-42", {"email": "ada.lovelace@example.com"}
    )


def test_the_similarity_rule_reads_a_user_objects_username_field():
    member = Member(handle="countess_of_lovelace", email="a@example.com")

    with pytest.raises(InvalidPassword, match="too similar to the handle"):
        UserAttributeSimilarityValidator().validate("countessoflovelace", member)


def test_the_similarity_rule_compares_only_the_attributes_it_is_given():
    member = Member(handle="x", email="a@example.com", first_name="Augusta")
    validator = UserAttributeSimilarityValidator(user_attributes=["first_name"])

    with pytest.raises(InvalidPassword, match="too similar to the first name"):
        validator.validate("augusta12", member)
    validator.validate("a@example.com", member)


def test_the_similarity_rule_needs_a_user():
    UserAttributeSimilarityValidator().validate("ada.lovelace@example.com", None)


def test_the_similarity_threshold_must_be_sensible():
    with pytest.raises(ImproperlyConfigured, match=r"max_similarity must be between 0\.1 and 1"):
        UserAttributeSimilarityValidator(max_similarity=0.05)


def test_every_broken_rule_is_reported_at_once(loaded: None):
    with pytest.raises(InvalidPassword) as error:
        validate_password("12345678", {"email": "ada@example.com"})

    assert codes(error) == [
        "password_too_short",
        "password_too_common",
        "password_entirely_numeric",
    ]
    assert str(error.value) == " ".join(error.value.messages)


def test_a_good_password_passes_every_default_rule(loaded: None):
    validate_password("violet-kumquat-harbour-42", {"email": "ada@example.com"})


def test_by_default_all_four_validators_run(loaded: None):
    assert [type(v) for v in password_validators()] == [
        UserAttributeSimilarityValidator,
        MinimumLengthValidator,
        CommonPasswordValidator,
        NumericPasswordValidator,
    ]


def test_the_setting_chooses_validators_and_their_options(loaded: None):
    chosen = [
        {"NAME": "kwik.contrib.auth.passwords:MinimumLengthValidator", "OPTIONS": {"min_length": 4}}
    ]
    with override_settings(AUTH_PASSWORD_VALIDATORS=chosen):
        validate_password("1234")
        with pytest.raises(InvalidPassword, match="at least 4"):
            validate_password("123")
    with override_settings(AUTH_PASSWORD_VALIDATORS=[]):
        validate_password("")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"NAME": "kwik.contrib.auth.passwords:NoSuchValidator"},
            "AUTH_PASSWORD_VALIDATORS: 'kwik.contrib.auth.passwords' has no attribute",
        ),
        (
            {"NAME": "kwik.contrib.auth.passwords:MinimumLengthValidator", "OPTIONS": {"x": 1}},
            "AUTH_PASSWORD_VALIDATORS: 'kwik.contrib.auth.passwords:MinimumLengthValidator' with "
            "OPTIONS {'x': 1}:",
        ),
        ({"OPTIONS": {}}, "AUTH_PASSWORD_VALIDATORS: {'OPTIONS': {}} must be"),
        (
            {"NAME": "kwik.contrib.auth.passwords:NumericPasswordValidator", "OPTION": {}},
            "AUTH_PASSWORD_VALIDATORS: 'kwik.contrib.auth.passwords:NumericPasswordValidator' has "
            "unknown keys ['OPTION']",
        ),
        (
            {"NAME": "kwik.contrib.auth.passwords:InvalidPassword"},
            "AUTH_PASSWORD_VALIDATORS: 'kwik.contrib.auth.passwords:InvalidPassword' is not a "
            "password validator",
        ),
    ],
)
def test_a_wrong_validator_setting_is_a_clear_error(loaded: None, entry: dict, message: str):
    with (
        override_settings(AUTH_PASSWORD_VALIDATORS=[entry]),
        pytest.raises(ImproperlyConfigured) as error,
    ):
        validate_password("violet-kumquat-harbour-42")

    assert str(error.value).startswith(message)
