"""The benchmark project with kwik.contrib.versioning, two versions and header selection: the
routes keep the paths wrk calls, and wrk names no version, so every request is served the
default (newest) version after the selector has scanned its headers for Accept-Version."""

from benchmarks.apps.kwik_bench.settings import *  # noqa: F403

INSTALLED_APPS = ["kwik.contrib.versioning"]

ROOT_URLCONF = "benchmarks.apps.kwik_bench.versioned_urls"

API_VERSIONS = ["v1", "v2"]
API_VERSIONING = ["header"]
