"""Passwords: hashing and checking them off the event loop, and the rules new ones must pass.

Example:
    user.password = await hash_password(raw)
    checked = await verify_password(raw, user.password)  # Verification(ok, new_hash)
    validate_password(raw, user)  # raises InvalidPassword listing every broken rule
"""

from __future__ import annotations

from kwik.contrib.auth.passwords.hashers import (
    Argon2Hasher,
    FastScryptHasher,
    PasswordHasher,
    PBKDF2SHA256Hasher,
    ScryptHasher,
    argon2_available,
)
from kwik.contrib.auth.passwords.hashing import (
    UNUSABLE_PASSWORD_PREFIX,
    Verification,
    get_hashers,
    hash_password,
    is_password_usable,
    needs_rehash,
    unusable_password,
    verify_dummy_password,
    verify_password,
)
from kwik.contrib.auth.passwords.validators import (
    CommonPasswordValidator,
    InvalidPassword,
    MinimumLengthValidator,
    NumericPasswordValidator,
    PasswordProblem,
    PasswordValidator,
    UserAttributeSimilarityValidator,
    password_validators,
    validate_password,
)

__all__ = [
    "UNUSABLE_PASSWORD_PREFIX",
    "Argon2Hasher",
    "CommonPasswordValidator",
    "FastScryptHasher",
    "InvalidPassword",
    "MinimumLengthValidator",
    "NumericPasswordValidator",
    "PBKDF2SHA256Hasher",
    "PasswordHasher",
    "PasswordProblem",
    "PasswordValidator",
    "ScryptHasher",
    "UserAttributeSimilarityValidator",
    "Verification",
    "argon2_available",
    "get_hashers",
    "hash_password",
    "is_password_usable",
    "needs_rehash",
    "password_validators",
    "unusable_password",
    "validate_password",
    "verify_dummy_password",
    "verify_password",
]
