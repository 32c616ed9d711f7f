"""How kwik sees the orders app: routes under /orders."""

from kwik.apps import AppConfig


class OrdersConfig(AppConfig):
    verbose_name = "Orders"
    route_prefix = "/orders"
