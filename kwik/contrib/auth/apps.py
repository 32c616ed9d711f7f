"""How kwik sees auth: its label, routes under /auth, settings, checks, and post-migrate work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kwik.apps import AppConfig
from kwik.contrib.auth.settings import AuthSettings
from kwik.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from kwik.checks.messages import CheckMessage

__all__ = ["AuthConfig"]


class AuthConfig(AppConfig):
    """Users, groups, permissions, passwords, tokens and sessions (docs/auth.md)."""

    name = "kwik.contrib.auth"
    label = "auth"
    verbose_name = "Authentication and authorization"
    route_prefix = "/auth"
    settings_model = AuthSettings

    def ready(self) -> None:
        """Fail at start-up, not at the first login, on hasher and validator settings; refuse a
        second AUTH_USER_MODEL in a process whose tables were made for another; and give auth's
        tables that point at a swapped user model to that model's app."""
        from kwik.conf import settings
        from kwik.contrib.auth.models import users
        from kwik.contrib.auth.passwords import get_hashers, password_validators

        if users.MAPPED_FOR != settings.AUTH_USER_MODEL:
            raise ImproperlyConfigured(
                f"AUTH_USER_MODEL is {settings.AUTH_USER_MODEL!r}, but this process already "
                f"made auth's tables for {users.MAPPED_FOR!r}: load one project per process"
            )
        if not get_hashers():
            raise ImproperlyConfigured("PASSWORD_HASHERS: no hasher can run here")
        password_validators()
        self._user_tables_follow_user_model()

    def _user_tables_follow_user_model(self) -> None:
        """With a swapped user model, auth's tables that point at it belong to its app.

        Its migrations then make them, after the user table (kwik.contrib.auth.users says why).
        """
        from kwik.contrib.auth.users import is_swapped, user_app_label, user_table_name
        from kwik.db.models import Model

        if not is_swapped():
            return
        target = f"{user_table_name()}."
        for table in Model.metadata.tables.values():
            if table.info.get("app_label") == self.label and any(
                key.target_fullname.startswith(target) for key in table.foreign_keys
            ):
                table.info["app_label"] = user_app_label()

    def check(self, *, deploy: bool = False) -> list[CheckMessage]:
        from kwik.checks import Error, Warning
        from kwik.contrib.auth.passwords import get_hashers
        from kwik.contrib.auth.users import get_user_model

        found: list[CheckMessage] = []
        try:
            get_user_model()
        except ImproperlyConfigured as exc:
            found.append(Error(str(exc), id="auth.E001", obj=self.label))
        preferred = get_hashers()[0]
        if deploy and preferred.for_tests:
            found.append(
                Warning(
                    f"PASSWORD_HASHERS starts with {type(preferred).__name__}, a hasher for "
                    "tests: its hashes are cheap to crack",
                    id="auth.W001",
                    hint="Leave PASSWORD_HASHERS empty (Argon2 or scrypt), or list a real "
                    "hasher first",
                    obj=self.label,
                )
            )
        if deploy:
            found.extend(self._check_password_reset_sender())
        return found

    def _check_password_reset_sender(self) -> list[CheckMessage]:
        """In production, password resets need a sender that delivers: the console one prints
        nothing with DEBUG off, so users asking for a reset would never get their token."""
        from kwik.checks import Error, Warning
        from kwik.conf import settings
        from kwik.contrib.auth.senders import ConsoleSender, get_password_reset_sender

        try:
            sender = get_password_reset_sender()
        except ImproperlyConfigured as exc:
            return [Error(str(exc), id="auth.E002", obj=self.label)]
        if settings.DEBUG or not isinstance(sender, ConsoleSender):
            return []
        return [
            Warning(
                "PASSWORD_RESET_SENDER is the ConsoleSender, which sends nothing with DEBUG "
                "off: users who ask for a password reset never get their token",
                id="auth.W002",
                hint="Point PASSWORD_RESET_SENDER at a class with `async def "
                "send_password_reset(message)` that emails the link (docs/auth.md)",
                obj=self.label,
            )
        ]

    async def post_migrate(self, connection: AsyncConnection) -> None:
        """Create the view/add/change/delete permissions models lack."""
        from kwik.contrib.auth.model_permissions import create_model_permissions

        await create_model_permissions(connection)
