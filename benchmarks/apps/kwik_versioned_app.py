"""Kwik with `kwik.contrib.versioning`, the three endpoints serving "v1+" and selected by header:
the same paths as kwik_app.py, so wrk's requests are unchanged and get the default version. The
target: at most 5% fewer requests/s than plain kwik on every endpoint."""

import os

from kwik.asgi import get_application

os.environ["KWIK_SETTINGS_MODULE"] = "benchmarks.apps.kwik_bench.versioned_settings"

app = get_application()
