"""Reproducible benchmarks of kwik against its peers; `make bench` runs them (see README.md)."""
