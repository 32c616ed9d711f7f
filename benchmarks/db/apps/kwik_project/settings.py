"""Settings of the database benchmark's project: production-like (DEBUG off), no middleware, on
the benchmark's database with the pool every stack gets (benchmarks/db/apps/config.py)."""

import secrets

from benchmarks.db.apps import config

DEBUG = False

# DEBUG off needs a strong key; nothing here signs anything, so a fresh one per process is fine.
SECRET_KEY = secrets.token_urlsafe(50)

INSTALLED_APPS = ["benchmarks.db.apps.kwik_project.products"]

MIDDLEWARE: list[str] = []

DATABASE_URL = config.sqlalchemy_url()
DATABASE_POOL_SIZE = config.POOL_SIZE
DATABASE_MAX_OVERFLOW = 0

ASGI_APPLICATION = "benchmarks.db.apps.kwik_app:app"
