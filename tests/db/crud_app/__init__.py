"""The catalog the CRUD-service tests use: categories and products, labelled `crud`.

The models set `__app_label__`, so they import without a project (SQLAlchemy's shared metadata
holds one class per table, so they are defined here once, not in per-test projects).
"""
