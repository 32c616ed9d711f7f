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
        return found

    async def post_migrate(self, connection: AsyncConnection) -> None:
        """Create the view/add/change/delete permissions models lack."""
        from kwik.contrib.auth.model_permissions import create_model_permissions

        await create_model_permissions(connection)
