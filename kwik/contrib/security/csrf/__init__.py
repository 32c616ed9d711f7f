"""CSRF protection for requests authenticated by a cookie (docs/security.md, "CSRF").

`protection.py` decides which requests are checked and checks them, `origins.py` reads what the
browser says about the sending page, `tokens.py` makes and matches tokens, `templates.py` gives
templates `csrf_token()` and `csrf_input()`, `routes.py` serves `GET /security/csrf`.
"""

from __future__ import annotations

from kwik.contrib.security.csrf.problems import CROSS_ORIGIN, TOKEN_INVALID, TOKEN_MISSING
from kwik.contrib.security.csrf.protection import (
    SAFE_METHODS,
    csrf_dependencies,
    csrf_exempt,
    protected_cookies,
)
from kwik.contrib.security.csrf.tokens import csrf_token


def csrf_template_globals() -> dict[str, object]:
    """`csrf_token` and `csrf_input` for templates (Jinja2 is imported only here, when the
    template environment is built)."""
    from kwik.contrib.security.csrf.templates import csrf_template_globals as made

    return made()


__all__ = [
    "CROSS_ORIGIN",
    "SAFE_METHODS",
    "TOKEN_INVALID",
    "TOKEN_MISSING",
    "csrf_dependencies",
    "csrf_exempt",
    "csrf_template_globals",
    "csrf_token",
    "protected_cookies",
]
