"""The catalog example: categories and products served as a CRUD API (used by `make demo`)."""
