"""Auth's settings, validated with the project's (`kwik.conf`); `docs/auth.md` describes each.

Two parts of the app read them: the user model, passwords and permissions (first block), and the
HTTP side, tokens, sessions and password resets (second block).
"""

from __future__ import annotations

from typing import Any, Literal

from kwik.conf import AppSettings

__all__ = ["AuthSettings"]


class AuthSettings(AppSettings):
    # Users, passwords, permissions -----------------------------------------------------------
    AUTH_USER_MODEL: str = "auth.User"
    """The user model as `app_label.ModelName`; a project swaps in its own subclass of
    `AbstractUser` before its first migration."""
    PASSWORD_HASHERS: list[str] = []
    """Dotted paths of hasher classes; the first hashes new passwords, the others still verify
    old hashes (upgraded on the next login). Empty: Argon2 when installed, then scrypt, PBKDF2."""
    AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
        {"NAME": "kwik.contrib.auth.passwords:UserAttributeSimilarityValidator"},
        {"NAME": "kwik.contrib.auth.passwords:MinimumLengthValidator"},
        {"NAME": "kwik.contrib.auth.passwords:CommonPasswordValidator"},
        {"NAME": "kwik.contrib.auth.passwords:NumericPasswordValidator"},
    ]
    """`{"NAME": "dotted.path:Validator", "OPTIONS": {...}}` entries run on every new password;
    by default all four of kwik's (at least 10 characters, not common, not all digits, not like
    the email). `[]` turns validation off."""

    # Tokens, sessions, password resets ---------------------------------------------------------
    AUTH_TOKEN_TTL: int = 7 * 24 * 3600
    """Seconds a bearer token issued at login stays valid."""
    AUTH_SESSION_COOKIE_NAME: str = "kwik_session"
    AUTH_SESSION_TTL: int = 14 * 24 * 3600
    AUTH_SESSION_COOKIE_SECURE: bool | None = None
    """None: Secure when the request came over HTTPS."""
    AUTH_SESSION_COOKIE_SAMESITE: Literal["lax", "strict", "none"] = "lax"
    PASSWORD_RESET_TIMEOUT: int = 3600
    """Seconds a password-reset token stays valid; it is also spent by its first use."""
    PASSWORD_RESET_SENDER: str = "kwik.contrib.auth.senders:ConsoleSender"
    PASSWORD_RESET_URL: str | None = None
    """A link template such as `https://shop.example/reset?token={token}` for the message."""
    AUTH_ALLOW_REGISTRATION: bool = True
