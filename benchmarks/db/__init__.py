"""The database benchmark: a list and a detail endpoint on PostgreSQL in three stacks."""
