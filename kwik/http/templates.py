"""HTML from Jinja2 templates: `render(request, "x.html", context)`.

One Environment, built on first use over TEMPLATE_DIRS and then each installed app's
`templates/` folder in INSTALLED_APPS order (the first folder holding a name wins, so a project
overrides an app's template by writing its own), with autoescaping on. Every template sees
`request` and `url_for`, and the names installed apps add (`AppConfig.template_globals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

__all__ = ["get_templates", "render", "template_dirs"]

_built: tuple[object, Jinja2Templates] | None = None


def template_dirs() -> list[Path]:
    """Where templates are looked up, in order: TEMPLATE_DIRS, then each app's `templates/`."""
    from kwik.apps import apps
    from kwik.conf import settings

    folders = [settings.core.resolve(folder) for folder in settings.TEMPLATE_DIRS]
    if apps.ready:
        folders += [c.templates_dir for c in apps.get_app_configs() if c.templates_dir]
    return folders


def get_templates() -> Jinja2Templates:
    """The project's templates, built once (again only when settings change, as in tests).

    Jinja2 is imported here, on first use, so an API that renders no HTML never loads it.
    """
    global _built
    import jinja2
    from starlette.templating import Jinja2Templates

    from kwik.apps import apps
    from kwik.conf import settings

    key = settings.core  # a new object whenever settings are loaded again or overridden
    if _built is None or _built[0] is not key:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dirs()),
            autoescape=True,
            auto_reload=bool(settings.DEBUG),
        )
        if apps.ready:
            for config in apps.get_app_configs():
                environment.globals.update(config.template_globals())
        _built = (key, Jinja2Templates(env=environment))
    return _built[1]


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    background: BackgroundTask | None = None,
) -> HTMLResponse:
    """The template `name` rendered with `context` (plus `request` and `url_for`) as HTML.

    Example:
        @router.get("/")
        async def home(request: Request) -> HTMLResponse:
            return render(request, "shop/home.html", {"products": products})
    """
    response = get_templates().TemplateResponse(
        request,
        name,
        dict(context or {}),
        status_code=status_code,
        headers=headers,
        background=background,
    )
    assert isinstance(response, HTMLResponse)
    return response
