"""The benchmark project with kwik.contrib.security installed and nothing else set: the default
stack a new project gets (client address, security headers, CSRF on unsafe methods (wrk's POST
carries no cookie, so it passes), rate limits on the default memory backend, which only auth's
routes use by default)."""

from benchmarks.apps.kwik_bench.settings import *  # noqa: F403

INSTALLED_APPS = ["kwik.contrib.security"]
