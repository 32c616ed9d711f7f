"""How kwik sees the users app: routes at the root (`/v1/users`, `/v2/users`), and the
in-memory directory seeded each time the application starts."""

from kwik.apps import AppConfig

from .directory import seed


class UsersConfig(AppConfig):
    verbose_name = "Users"
    route_prefix = ""

    async def startup(self) -> None:
        seed()
