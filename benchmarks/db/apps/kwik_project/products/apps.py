"""How kwik sees the products app: its routes at the root, where the other stacks serve theirs."""

from kwik.apps import AppConfig


class ProductsConfig(AppConfig):
    route_prefix = ""
