"""`{{ csrf_token() }}` and `{{ csrf_input() }}` in every template: the token of the request the
template answers, read from Jinja's context (`render()` puts `request` there)."""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from kwik.contrib.security.csrf.tokens import csrf_token

__all__ = ["csrf_template_globals"]


def _request_of(context: jinja2.runtime.Context) -> Any:
    request = context.get("request")
    if request is None:
        raise RuntimeError(
            "csrf_token() needs the request in the template's context: render the template "
            "with kwik.http.render(request, ...), which puts it there"
        )
    return request


@jinja2.pass_context
def _csrf_token(context: jinja2.runtime.Context) -> str:
    """A fresh token for this page (`<meta name="csrf-token" content="{{ csrf_token() }}">`)."""
    return csrf_token(_request_of(context))


@jinja2.pass_context
def _csrf_input(context: jinja2.runtime.Context) -> Markup:
    """A hidden input carrying the token, for inside a `<form method="post">`."""
    from kwik.conf import settings

    return Markup('<input type="hidden" name="{}" value="{}">').format(
        settings.CSRF_FORM_FIELD, csrf_token(_request_of(context))
    )


def csrf_template_globals() -> dict[str, Any]:
    return {"csrf_token": _csrf_token, "csrf_input": _csrf_input}
