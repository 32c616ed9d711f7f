"""Kwik: the database benchmark project's ASGI application, built as a project's `asgi.py` is."""

import os

from kwik.asgi import get_application

os.environ.setdefault("KWIK_SETTINGS_MODULE", "benchmarks.db.apps.kwik_project.settings")

app = get_application()
