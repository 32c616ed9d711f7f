"""Scopes: `resource:action` words, granted to keys (with `orders:*` and `*` wildcards) and
required exactly by routes; malformed ones are refused where they are written."""

from __future__ import annotations

import pytest

from kwik.contrib.security.apikeys import require_scopes
from kwik.contrib.security.apikeys.scopes import (
    check_grants,
    check_required,
    grants,
    missing_scopes,
)


@pytest.mark.parametrize(
    ("granted", "required", "expected"),
    [
        (["orders:read"], "orders:read", True),
        (["orders:read"], "orders:write", False),
        (["orders:read"], "Orders:read", False),
        (["orders"], "orders:read", False),
        (["orders:*"], "orders:read", True),
        (["orders:*"], "orders:items:write", True),
        (["orders:*"], "orders", False),
        (["orders:*"], "ordersx:read", False),
        (["reports:sales:*"], "reports:sales:export", True),
        (["reports:sales:*"], "reports:stock:export", False),
        (["*"], "anything:at:all", True),
        ([], "orders:read", False),
    ],
)
def test_what_a_granted_scope_covers(granted: list[str], required: str, expected: bool):
    assert grants(granted, required) is expected


def test_missing_scopes_are_listed_in_the_order_required():
    assert missing_scopes(["orders:*"], ["b:write", "orders:read", "a:read"]) == [
        "b:write",
        "a:read",
    ]


def test_granted_scopes_are_kept_once_each_in_order():
    assert check_grants(["orders:read", "reports:*", "orders:read", "*"]) == [
        "orders:read",
        "reports:*",
        "*",
    ]


def test_one_scope_given_as_a_string_is_one_scope_not_its_letters():
    assert check_grants("orders:read") == ["orders:read"]


@pytest.mark.parametrize(
    "bad", ["", "orders read", "orders:", ":read", "orders::read", "orders:*:read", "*:read", "é"]
)
def test_a_malformed_granted_scope_is_refused_saying_what_a_scope_is(bad: str):
    with pytest.raises(ValueError, match=r"is not a scope: a scope is words joined by ':'"):
        check_grants([bad])


def test_a_too_long_scope_is_refused():
    with pytest.raises(ValueError, match="at most 100"):
        check_grants(["a" * 101])


@pytest.mark.parametrize("wildcard", ["*", "orders:*"])
def test_a_route_cannot_require_a_wildcard(wildcard: str):
    with pytest.raises(ValueError, match="no '\\*'"):
        check_required([wildcard])


def test_require_scopes_refuses_a_bad_scope_where_it_is_written():
    with pytest.raises(ValueError, match="'orders read' is not a scope"):
        require_scopes("orders read")


def test_require_scopes_needs_at_least_one_scope():
    with pytest.raises(ValueError, match="at least one scope"):
        require_scopes()


def test_the_same_scopes_give_the_same_dependency_so_it_runs_once():
    assert require_scopes("orders:read") is require_scopes("orders:read")
    assert require_scopes("orders:read") is not require_scopes("orders:write")
    assert require_scopes("orders:read").__name__ == "require_scopes(orders:read)"
