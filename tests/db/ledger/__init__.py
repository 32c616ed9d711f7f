"""A small app the data-layer tests install: accounts and their entries."""
