"""Settings of the kwik benchmark project: production-like (DEBUG off), no apps, no middleware."""

import secrets

DEBUG = False

# DEBUG off needs a strong key; nothing here signs anything, so a fresh one per process is fine.
SECRET_KEY = secrets.token_urlsafe(50)

INSTALLED_APPS: list[str] = []

MIDDLEWARE: list[str] = []

ROOT_URLCONF = "benchmarks.apps.kwik_bench.urls"

ASGI_APPLICATION = "benchmarks.apps.kwik_app:app"
