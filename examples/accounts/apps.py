"""How kwik sees the accounts app: routes under /accounts."""

from kwik.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Accounts"
    route_prefix = "/accounts"
