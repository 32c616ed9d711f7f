"""Kwik with `kwik.contrib.security` installed and its defaults: the same project as kwik_app.py
plus the security app, to measure what its default middleware stack costs (issue 7: at most 15%
on GET /ping)."""

import os

from kwik.asgi import get_application

os.environ["KWIK_SETTINGS_MODULE"] = "benchmarks.apps.kwik_bench.secure_settings"

app = get_application()
