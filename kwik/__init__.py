"""Kwik: Django's project model on a fast async stack.

`import kwik` stays cheap on purpose: it loads no settings, no apps and no web stack. Call
`kwik.setup()` (the CLI and `kwik.asgi.get_application()` do it for you) to load the project.
"""

from __future__ import annotations

from kwik.bootstrap import setup
from kwik.exceptions import AppRegistryNotReady, ImproperlyConfigured, KwikError

__version__ = "0.1.0"

__all__ = ["AppRegistryNotReady", "ImproperlyConfigured", "KwikError", "__version__", "setup"]
