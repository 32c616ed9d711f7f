"""Settings of the task benchmark's project: production-like (DEBUG off), on the benchmark's
database (BENCH_TASKS_DSN, a fresh one per measurement), with the queue's default settings."""

import os
import secrets

DEBUG = False

# DEBUG off needs a strong key; nothing here signs anything, so a fresh one per process is fine.
SECRET_KEY = secrets.token_urlsafe(50)

INSTALLED_APPS = ["kwik.contrib.tasks", "benchmarks.tasks.contenders.kwik_project.noop"]

DATABASE_URL = os.environ.get("BENCH_TASKS_DSN", "postgresql://").replace(
    "postgresql://", "postgresql+asyncpg://", 1
)
