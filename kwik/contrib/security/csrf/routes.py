"""`GET /security/csrf`: a CSRF token for a page's script (a single-page app that renders no
template), and the CSRF cookie it belongs to."""

from __future__ import annotations

from pydantic import BaseModel

from kwik.contrib.security.csrf.tokens import csrf_token
from kwik.http import Request, Response, Router

__all__ = ["CSRFTokenOut", "router"]

router = Router(tags=["security"])


class CSRFTokenOut(BaseModel):
    token: str
    """Send it back in `header` with unsafe requests (or in the form field `field`)."""
    header: str
    field: str


@router.get("/csrf", name="csrf_token")
async def get_csrf_token(request: Request, response: Response) -> CSRFTokenOut:
    """A CSRF token, and the cookie it belongs to (set when the browser has none yet).

    A script calls this once and sends the token in the header with every unsafe request made
    with the session cookie; any token of the same cookie works, so it may be kept for the
    page's lifetime. Never cached: each answer is for one browser.
    """
    from kwik.conf import settings

    response.headers["Cache-Control"] = "no-store"
    return CSRFTokenOut(
        token=csrf_token(request),
        header=settings.CSRF_HEADER_NAME,
        field=settings.CSRF_FORM_FIELD,
    )
