"""The benchmark harness: servers, correctness checks, wrk load, and the report."""
