"""Kwik: the benchmark project's ASGI application, built as a project's `asgi.py` builds it."""

import os

from kwik.asgi import get_application

os.environ.setdefault("KWIK_SETTINGS_MODULE", "benchmarks.apps.kwik_bench.settings")

app = get_application()
