"""The exceptions every part of kwik shares.

They carry messages written for the person running the project: one line that names the thing at
fault and says what to do. The CLI prints `str(exc)` and exits non-zero, so keep them that way.
"""

from __future__ import annotations

__all__ = ["AppRegistryNotReady", "ImproperlyConfigured", "KwikError"]


class KwikError(Exception):
    """Base class of errors kwik reports to the user without a traceback."""


class ImproperlyConfigured(KwikError):
    """The project's settings or apps are wrong; the message says which and how to fix it."""


class AppRegistryNotReady(KwikError):
    """Something asked the app registry a question before `kwik.setup()` loaded it."""
