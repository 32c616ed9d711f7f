"""Kwik with `kwik.contrib.versioning` selecting by URL prefix: the three endpoints serving "v1+"
answer under `/v1` and `/v2`, and the harness sends its requests to `/v2` (the framework's
`prefix`). Same target as kwik_versioned_app.py."""

import os

from kwik.asgi import get_application

os.environ["KWIK_SETTINGS_MODULE"] = "benchmarks.apps.kwik_bench.versioned_url_settings"

app = get_application()
