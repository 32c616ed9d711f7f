"""The products app: a model on the benchmark's `products` table, its CRUD service, two routes."""
