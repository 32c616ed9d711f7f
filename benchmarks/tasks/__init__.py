"""The task-queue benchmark: kwik's queue against PgQueuer and procrastinate (see README.md)."""
