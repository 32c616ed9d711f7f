"""The kwik project the database benchmark serves: one app, `products`, mounted at the root."""
