"""Kwik with `kwik.contrib.security`, CORS and a per-address limit on every request (memory
backend): what a fuller security set-up costs, beside the default one (kwik_secure_app.py)."""

import os

from kwik.asgi import get_application

os.environ["KWIK_SETTINGS_MODULE"] = "benchmarks.apps.kwik_bench.secure_full_settings"

app = get_application()
