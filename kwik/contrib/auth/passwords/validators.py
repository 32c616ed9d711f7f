"""Password validators: rules a new password must pass, configured in `AUTH_PASSWORD_VALIDATORS`.

Each entry is `{"NAME": "dotted.path:Validator", "OPTIONS": {...}}`; the options are the class's
keyword arguments. `validate_password` runs every one and raises a single `InvalidPassword`
carrying each failure (a message and a stable code), so a form or an API answer can list them
all at once.

A validator is any class with `validate(password, user=None)` that raises `InvalidPassword`, and
`help_text()` describing the rule:

    class NoSeasonValidator:
        def validate(self, password: str, user: object | None = None) -> None:
            if any(season in password.lower() for season in ("spring", "summer")):
                raise InvalidPassword("The password names a season.", code="password_season")

        def help_text(self) -> str:
            return "Your password can't name a season."
"""

from __future__ import annotations

import functools
import gzip
import inspect
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "COMMON_PASSWORDS",
    "CommonPasswordValidator",
    "InvalidPassword",
    "MinimumLengthValidator",
    "NumericPasswordValidator",
    "PasswordProblem",
    "PasswordValidator",
    "UserAttributeSimilarityValidator",
    "password_validators",
    "validate_password",
]

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
"""Django's list of 19,640 common passwords (see data/README.md for its origin and license)."""


@dataclass(frozen=True)
class PasswordProblem:
    """One rule a password breaks: a stable `code` for programs, a `message` for people."""

    code: str
    message: str


class InvalidPassword(ValueError):
    """A password breaks one or more rules; `problems` lists each (`messages`, their text)."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "password_invalid",
        problems: Sequence[PasswordProblem] = (),
    ) -> None:
        self.problems: tuple[PasswordProblem, ...] = tuple(problems) or (
            PasswordProblem(code, message),
        )
        super().__init__(" ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [problem.message for problem in self.problems]


@runtime_checkable
class PasswordValidator(Protocol):
    """What `AUTH_PASSWORD_VALIDATORS` entries name."""

    def validate(self, password: str, user: object | None = None) -> None: ...

    def help_text(self) -> str: ...


def _attribute(user: object | None, name: str) -> Any:
    """`user.name`, or `user[name]` for a mapping (a user not yet created: `{"email": ...}`)."""
    if isinstance(user, Mapping):
        return user.get(name)
    return getattr(user, name, None)


class MinimumLengthValidator:
    """At least `min_length` characters (default 10)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: object | None = None) -> None:
        if len(password) < self.min_length:
            raise InvalidPassword(
                f"The password is too short: it must have at least {self.min_length} characters.",
                code="password_too_short",
            )

    def help_text(self) -> str:
        return f"Your password must have at least {self.min_length} characters."


@functools.lru_cache(maxsize=4)
def _common_passwords(path: Path) -> frozenset[str]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            return frozenset(line.strip().lower() for line in lines if line.strip())
    except OSError as exc:
        raise ImproperlyConfigured(
            f"AUTH_PASSWORD_VALIDATORS: CommonPasswordValidator cannot read {path}: {exc}"
        ) from exc


class CommonPasswordValidator:
    """Not one of the common passwords in `password_list_path` (one per line, gzipped or not;
    default: Django's 19,640), compared lower-cased."""

    def __init__(self, password_list_path: str | Path = COMMON_PASSWORDS) -> None:
        self.path = Path(password_list_path)
        self.passwords = _common_passwords(self.path)

    def validate(self, password: str, user: object | None = None) -> None:
        if password.strip().lower() in self.passwords:
            raise InvalidPassword("The password is too common.", code="password_too_common")

    def help_text(self) -> str:
        return "Your password can't be a commonly used password."


class NumericPasswordValidator:
    """Not digits only."""

    def validate(self, password: str, user: object | None = None) -> None:
        if password.isdigit():
            raise InvalidPassword(
                "The password is entirely numeric.", code="password_entirely_numeric"
            )

    def help_text(self) -> str:
        return "Your password can't be entirely numeric."


class UserAttributeSimilarityValidator:
    """Not too like the user's own details: the email (whole, its local part, and each word of
    it), the username and names.

    Similarity is difflib's ratio between the lower-cased password and each value or word of at
    least three characters; `max_similarity` (default 0.7) or more is refused. `user_attributes`
    defaults to the user's USERNAME_FIELD and EMAIL_FIELD plus `username`, `first_name`,
    `last_name` and `name` where the user has them; `user` may be a mapping of those values
    (validating before the user exists).
    """

    DEFAULT_ATTRIBUTES = ("username", "first_name", "last_name", "name", "email")

    def __init__(
        self, user_attributes: Sequence[str] | None = None, max_similarity: float = 0.7
    ) -> None:
        if not 0.1 <= max_similarity <= 1:
            raise ImproperlyConfigured(
                "AUTH_PASSWORD_VALIDATORS: UserAttributeSimilarityValidator's max_similarity "
                f"must be between 0.1 and 1, not {max_similarity!r}"
            )
        self.user_attributes = tuple(user_attributes) if user_attributes is not None else None
        self.max_similarity = max_similarity

    def _attributes(self, user: object) -> tuple[str, ...]:
        if self.user_attributes is not None:
            return self.user_attributes
        own = (_attribute(user, "USERNAME_FIELD"), _attribute(user, "EMAIL_FIELD"))
        return tuple(dict.fromkeys([*(n for n in own if n), *self.DEFAULT_ATTRIBUTES]))

    def validate(self, password: str, user: object | None = None) -> None:
        if user is None:
            return
        lowered = password.lower()
        for attribute in self._attributes(user):
            value = _attribute(user, attribute)
            if not isinstance(value, str) or not value:
                continue
            if any(self._too_similar(lowered, word) for word in _words(value.lower())):
                shown = attribute.replace("_", " ")
                raise InvalidPassword(
                    f"The password is too similar to the {shown}.", code="password_too_similar"
                )

    def _too_similar(self, password: str, word: str) -> bool:
        if len(word) < 3:
            return False
        matcher = SequenceMatcher(a=password, b=word)
        return matcher.quick_ratio() >= self.max_similarity and (
            matcher.ratio() >= self.max_similarity
        )

    def help_text(self) -> str:
        return "Your password can't be too similar to your other personal information."


def _words(value: str) -> set[str]:
    """The value, its email local part, and its words: `ada.lovelace@example.com` gives
    `ada.lovelace`, `ada`, `lovelace`, `example`, `com` and the whole address."""
    return {value, value.partition("@")[0], *re.split(r"\W+", value)} - {""}


def password_validators() -> list[PasswordValidator]:
    """The validators `AUTH_PASSWORD_VALIDATORS` configures, made once per value of the setting."""
    from kwik.conf import settings

    return list(_validators(json.dumps(settings.AUTH_PASSWORD_VALIDATORS, sort_keys=True)))


@functools.lru_cache(maxsize=16)
def _validators(config: str) -> tuple[PasswordValidator, ...]:
    from kwik.imports import import_string

    made: list[PasswordValidator] = []
    for entry in json.loads(config):
        if not isinstance(entry, dict) or not isinstance(entry.get("NAME"), str):
            raise ImproperlyConfigured(
                f'AUTH_PASSWORD_VALIDATORS: {entry!r} must be {{"NAME": "dotted.path:Class", '
                '"OPTIONS": {...}}'
            )
        unknown = set(entry) - {"NAME", "OPTIONS"}
        if unknown:
            raise ImproperlyConfigured(
                f"AUTH_PASSWORD_VALIDATORS: {entry['NAME']!r} has unknown keys {sorted(unknown)}; "
                "an entry has NAME and OPTIONS"
            )
        cls = import_string(entry["NAME"], setting="AUTH_PASSWORD_VALIDATORS")
        options = entry.get("OPTIONS", {})
        try:
            validator = cls(**options)
        except TypeError as exc:
            raise ImproperlyConfigured(
                f"AUTH_PASSWORD_VALIDATORS: {entry['NAME']!r} with OPTIONS {options!r}: {exc}"
            ) from exc
        if not (isinstance(validator, PasswordValidator) and not inspect.isclass(validator)):
            raise ImproperlyConfigured(
                f"AUTH_PASSWORD_VALIDATORS: {entry['NAME']!r} is not a password validator: it "
                "needs validate(password, user=None) and help_text()"
            )
        made.append(validator)
    return tuple(made)


def validate_password(
    password: str,
    user: object | None = None,
    validators: Iterable[PasswordValidator] | None = None,
) -> None:
    """Run every validator (default: `AUTH_PASSWORD_VALIDATORS`) on `password`; raise one
    `InvalidPassword` listing every rule it breaks.

    `user` is the user (or a mapping of their details, before they exist) for the similarity
    check.

    Example:
        try:
            validate_password(raw, {"email": email})
        except InvalidPassword as exc:
            print(exc.messages)
    """
    problems: list[PasswordProblem] = []
    for validator in password_validators() if validators is None else validators:
        try:
            validator.validate(password, user)
        except InvalidPassword as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidPassword(problems=problems)
