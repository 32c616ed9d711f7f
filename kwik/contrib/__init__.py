"""Kwik's built-in apps: each an ordinary app a project turns on in INSTALLED_APPS."""
