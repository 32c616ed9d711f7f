"""How kwik sees the catalog app."""

from kwik.apps import AppConfig


class CatalogConfig(AppConfig):
    verbose_name = "Catalog"
