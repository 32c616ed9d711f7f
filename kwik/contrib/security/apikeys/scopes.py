"""What an API key may do: its scopes, and how they match what a route requires.

A scope is words joined by `:`, the resource first and the action last: `orders:read`,
`orders:write`, `reports:sales:export` (letters, digits, `_`, `-` and `.` in each word).
Matching is exact and case-sensitive, with one shorthand for what a key is *granted*: a last
word `*` grants every scope under the words before it (`orders:*` grants `orders:read` and
`orders:items:write`, not `orders` itself), and `*` alone grants every scope. A route
*requires* exact scopes; a wildcard there is refused, since it would mean "any one of them".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["check_grants", "check_required", "grants", "missing_scopes"]

MAX_SCOPE_LENGTH = 100
_WORD = r"[A-Za-z0-9_.\-]+"
_SCOPE = re.compile(rf"^{_WORD}(?::{_WORD})*$")
_GRANT = re.compile(rf"^(?:\*|{_WORD}(?::{_WORD})*(?::\*)?)$")
_SHAPE = "words joined by ':' such as 'orders:read' (letters, digits, '_', '-', '.')"


def _checked(scopes: Iterable[str], pattern: re.Pattern[str], shape: str) -> list[str]:
    if isinstance(scopes, str):  # `scopes="orders:read"` would be checked letter by letter
        scopes = [scopes]
    checked: list[str] = []
    for scope in scopes:
        if not isinstance(scope, str) or len(scope) > MAX_SCOPE_LENGTH:
            raise ValueError(f"{scope!r} is not a scope: a scope is {shape}, at most 100 long")
        if not pattern.match(scope):
            raise ValueError(f"{scope!r} is not a scope: a scope is {shape}")
        if scope not in checked:
            checked.append(scope)
    return checked


def check_grants(scopes: Iterable[str]) -> list[str]:
    """The scopes to grant a key, each once, in order; ValueError naming a malformed one.

    Example:
        check_grants(["orders:read", "reports:*"])  # ['orders:read', 'reports:*']
    """
    return _checked(scopes, _GRANT, _SHAPE + ", or ending in ':*' for all under it, or '*'")


def check_required(scopes: Iterable[str]) -> list[str]:
    """The scopes a route requires, each once; ValueError for a malformed or wildcard one."""
    return _checked(scopes, _SCOPE, _SHAPE + "; a required scope names one permission, no '*'")


def grants(granted: Iterable[str], required: str) -> bool:
    """Whether scopes `granted` to a key (wildcards allowed) include the scope `required`."""
    for scope in granted:
        if scope == required or scope == "*":
            return True
        if scope.endswith(":*") and required.startswith(scope[:-1]):
            return True
    return False


def missing_scopes(granted: Sequence[str], required: Iterable[str]) -> list[str]:
    """The scopes of `required` that `granted` doesn't include, in order."""
    return [scope for scope in required if not grants(granted, scope)]
