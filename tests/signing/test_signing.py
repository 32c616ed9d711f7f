"""Signed values and keyed digests: genuine ones come back, anything altered, expired, signed
for another purpose or with another key is refused, and no error message repeats the value."""

from __future__ import annotations

import time

import pytest

import kwik
from kwik.exceptions import ImproperlyConfigured
from kwik.signing import BadSignature, SignatureExpired, Signer, keyed_digest
from kwik.testing import override_settings
from tests.support import Project

KEY = "a-long-and-random-enough-secret-key-for-the-signing-tests-0123456789"


@pytest.fixture(autouse=True)
def configured(project: Project) -> None:
    kwik.setup(project.settings(f"SECRET_KEY = {KEY!r}\n"))


def test_a_signed_value_comes_back_unchanged():
    signer = Signer("tests.greeting")

    assert signer.unsign(signer.sign("hello.world")) == "hello.world"


def test_the_signed_form_is_the_value_then_a_url_safe_signature():
    signed = Signer("tests.greeting").sign("hello")

    value, _, signature = signed.partition(".")
    assert value == "hello"
    assert len(signature) == 43  # 32 bytes of HMAC-SHA256, base64url without padding
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda s: "jello" + s[5:], id="value changed"),
        pytest.param(lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"), id="signature changed"),
        pytest.param(lambda s: s[:-5], id="signature cut short"),
        pytest.param(lambda s: s.partition(".")[0], id="signature removed"),
        pytest.param(lambda s: "", id="empty"),
        pytest.param(lambda s: s + ".", id="separator added"),
    ],
)
def test_an_altered_value_is_refused(tamper):
    signer = Signer("tests.greeting")

    with pytest.raises(BadSignature):
        signer.unsign(tamper(signer.sign("hello")))


def test_a_value_signed_for_another_purpose_is_refused():
    signed = Signer("tests.unsubscribe").sign("ada@example.com")

    with pytest.raises(BadSignature):
        Signer("tests.password-reset").unsign(signed)


def test_a_value_signed_with_another_key_is_refused():
    signed = Signer("tests.greeting").sign("hello")

    with override_settings(SECRET_KEY=KEY[::-1]), pytest.raises(BadSignature):
        Signer("tests.greeting").unsign(signed)


def test_an_explicit_key_replaces_the_secret_key():
    signed = Signer("tests.greeting", key="another key").sign("hello")

    assert Signer("tests.greeting", key="another key").unsign(signed) == "hello"
    with pytest.raises(BadSignature):
        Signer("tests.greeting").unsign(signed)


def test_a_timestamped_value_within_max_age_comes_back():
    signer = Signer("tests.link", max_age=60)

    assert signer.unsign(signer.sign("ada")) == "ada"


def test_a_timestamped_value_older_than_max_age_is_expired(monkeypatch: pytest.MonkeyPatch):
    signer = Signer("tests.link", max_age=60)
    signed = signer.sign("ada")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)

    with pytest.raises(SignatureExpired) as expired:
        signer.unsign(signed)

    assert expired.value.max_age == 60
    assert expired.value.age >= 61


def test_an_expired_signature_is_a_bad_signature_too():
    assert issubclass(SignatureExpired, BadSignature)


def test_a_timestamp_cannot_be_refreshed_by_editing_it():
    signer = Signer("tests.link", max_age=60)
    value, stamp, signature = signer.sign("ada").split(".")
    fresh = f"{int(stamp, 16) + 3600:x}"

    with pytest.raises(BadSignature):
        signer.unsign(f"{value}.{fresh}.{signature}")


def test_timestamped_and_plain_signatures_are_not_interchangeable():
    plain = Signer("tests.link").sign("ada.1")  # looks like a value with a stamp

    with pytest.raises(BadSignature):
        Signer("tests.link", max_age=60).unsign(plain)
    with pytest.raises(BadSignature):
        Signer("tests.link").unsign(Signer("tests.link", max_age=60).sign("ada"))


def test_objects_are_signed_as_compact_url_safe_json():
    signer = Signer("tests.state")

    signed = signer.sign_object({"next": "/cart", "n": [1, 2]})

    assert signer.unsign_object(signed) == {"next": "/cart", "n": [1, 2]}
    assert set(signed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_error_messages_never_repeat_the_value():
    signer = Signer("tests.greeting")
    secret = "sk_live_abcdefghijklmnopqrstuvwxyz"

    with pytest.raises(BadSignature) as error:
        signer.unsign(f"{secret}.forged")

    assert secret not in str(error.value)
    assert secret not in repr(error.value)


def test_a_signer_needs_a_purpose_and_a_positive_max_age():
    with pytest.raises(ValueError, match="purpose"):
        Signer("")
    with pytest.raises(ValueError, match="max_age"):
        Signer("tests.link", max_age=0)


def test_signing_without_a_secret_key_says_which_setting_to_set():
    with override_settings(SECRET_KEY=""), pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        Signer("tests.greeting").sign("hello")


def test_the_keyed_digest_is_stable_hex_and_depends_on_purpose_and_key():
    digest = keyed_digest("token-123", "tests.token")

    assert digest == keyed_digest(b"token-123", "tests.token")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert digest != keyed_digest("token-124", "tests.token")
    assert digest != keyed_digest("token-123", "tests.other")
    with override_settings(SECRET_KEY=KEY[::-1]):
        assert digest != keyed_digest("token-123", "tests.token")


def test_the_keyed_digest_is_not_a_plain_hash_nor_a_signature():
    import base64
    import hashlib

    digest = bytes.fromhex(keyed_digest("token-123", "tests.token"))
    signature = Signer("tests.token").sign("token-123").rpartition(".")[2]

    assert digest != hashlib.sha256(b"token-123").digest()
    assert digest != base64.urlsafe_b64decode(signature + "=")
