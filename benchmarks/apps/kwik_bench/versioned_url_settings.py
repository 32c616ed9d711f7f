"""The versioned benchmark project selecting versions by URL prefix (versioning's default): each
route is compiled once per version (`/v1/ping`, `/v2/ping`), and wrk calls the newest version's
paths, the later of the two copies in the routing table."""

from benchmarks.apps.kwik_bench.versioned_settings import *  # noqa: F403

API_VERSIONING = ["url"]
