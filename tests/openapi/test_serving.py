"""Serving: the document at OPENAPI_URL, built once and cached, and Swagger UI at DOCS_URL."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

import kwik
import kwik.http.openapi.serving as serving
from kwik.asgi import get_application
from kwik.http import Kwik
from kwik.http.openapi.serving import DocumentInfo, openapi_routes
from kwik.http.specs import ResponseSpec
from tests.openapi.builders import route

INFO = DocumentInfo(title="Shop <&> API", version="2.0")


async def _ping(request: object) -> None:  # pragma: no cover - never called
    return None


def spec_route(path: str, **options: object) -> Route:
    """A Starlette route carrying a spec, as every kwik route does."""
    served = Route(path, _ping)
    served.spec = route(path, **options)  # type: ignore[attr-defined]
    return served


def app_with(*routes: Route, openapi_url: str | None = "/openapi.json", docs_url="/docs") -> Kwik:
    own = openapi_routes(info=INFO, openapi_url=openapi_url, docs_url=docs_url)
    return Kwik(routes=[*own, *routes])


def test_the_document_is_served_as_json_and_validates():
    client = TestClient(app_with(spec_route("/items", responses=(ResponseSpec(200, list[int]),))))

    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    validate(document)
    assert document["info"] == {"title": "Shop <&> API", "version": "2.0"}
    assert list(document["paths"]) == ["/items"]  # not /openapi.json, /docs or its files


def test_the_document_is_built_on_first_request_then_cached(monkeypatch):
    calls = []
    real = serving.openapi_document
    monkeypatch.setattr(
        serving, "openapi_document", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    client = TestClient(app_with(spec_route("/items")))
    assert calls == []

    first = client.get("/openapi.json").content
    second = client.get("/openapi.json").content

    assert calls == [1]
    assert first == second


def test_the_document_is_rebuilt_when_the_routes_change():
    app = app_with(spec_route("/items"))
    client = TestClient(app)
    assert list(client.get("/openapi.json").json()["paths"]) == ["/items"]

    app.router.routes.append(spec_route("/orders"))

    assert list(client.get("/openapi.json").json()["paths"]) == ["/items", "/orders"]


def test_each_application_has_its_own_document():
    first = TestClient(app_with(spec_route("/a")))
    second = TestClient(app_with(spec_route("/b")))

    assert list(first.get("/openapi.json").json()["paths"]) == ["/a"]
    assert list(second.get("/openapi.json").json()["paths"]) == ["/b"]


def test_a_selector_serves_a_document_of_some_routes_only():
    own = openapi_routes(
        info=INFO,
        openapi_url="/openapi/v2.json",
        docs_url=None,
        select=lambda routes: [r for r in routes if getattr(r, "path", "").startswith("/v2")],
    )
    client = TestClient(Kwik(routes=[*own, spec_route("/v1/items"), spec_route("/v2/items")]))

    assert list(client.get("/openapi/v2.json").json()["paths"]) == ["/v2/items"]


def test_the_docs_page_loads_swagger_ui_from_under_the_docs_url():
    client = TestClient(app_with())

    response = client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert 'data-openapi-url="/openapi.json"' in page
    assert sorted(re.findall(r'(?:src|href)="([^"]+)"', page)) == [
        "/docs/favicon-32x32.png",
        "/docs/kwik-docs.js",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
    ]
    assert "<title>Shop &lt;&amp;&gt; API - API docs</title>" in page


def test_the_docs_page_honours_the_root_path():
    client = TestClient(app_with(), root_path="/shop")

    page = client.get("/shop/docs").text

    assert 'data-openapi-url="/shop/openapi.json"' in page
    assert 'src="/shop/docs/swagger-ui-bundle.js"' in page


def test_behind_a_prefix_the_document_names_it_as_its_server():
    client = TestClient(app_with(spec_route("/items")), root_path="/shop")

    document = client.get("/shop/openapi.json").json()

    assert document["servers"] == [{"url": "/shop"}]
    assert "servers" not in TestClient(app_with()).get("/openapi.json").json()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("kwik-docs.js", "text/javascript"),
        ("oauth2-redirect.html", "text/html"),
        ("favicon-32x32.png", "image/png"),
    ],
)
def test_swagger_ui_files_are_served_from_the_installed_package(name, content_type):
    response = TestClient(app_with()).get(f"/docs/{name}")

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type
    assert response.headers["cache-control"] == "public, max-age=3600"


def test_an_unchanged_file_is_answered_304():
    client = TestClient(app_with())
    etag = client.get("/docs/swagger-ui.css").headers["etag"]

    response = client.get("/docs/swagger-ui.css", headers={"if-none-match": etag})

    assert response.status_code == 304


def test_only_the_files_the_page_needs_are_served():
    client = TestClient(app_with())

    assert client.get("/docs/swagger-editor-bundle.js").status_code == 404
    assert client.get("/docs/LICENSE").status_code == 404


def test_the_docs_page_can_be_turned_off_alone():
    client = TestClient(app_with(docs_url=None))

    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 404
    assert client.get("/docs/swagger-ui.css").status_code == 404


def test_no_openapi_url_serves_nothing():
    assert openapi_routes(info=INFO, openapi_url=None, docs_url=None) == []


# Through settings and get_application()

URLS = """
from kwik.http import Router

router = Router()


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""


def test_a_project_serves_both_by_default_titled_by_its_name(project):
    project.package("shop", {"urls.py": URLS})
    project.settings('ROOT_URLCONF = "shop.urls"\n', module="shop.settings")
    kwik.setup("shop.settings")

    client = TestClient(get_application())

    document = client.get("/openapi.json").json()
    assert document["info"] == {"title": "shop", "version": "0.1.0"}
    assert client.get("/docs").status_code == 200
    assert client.get("/ping").json() == {"ping": "pong"}


def test_settings_name_the_urls_and_the_info(project):
    project.settings(
        """
        OPENAPI_URL = "/api/schema.json"
        DOCS_URL = "/api/docs"
        OPENAPI_TITLE = "Shop API"
        OPENAPI_VERSION = "3.4.5"
        OPENAPI_DESCRIPTION = "Everything the shop sells"
        OPENAPI_SERVERS = [{"url": "https://shop.example.com", "description": "Production"}]
        """
    )
    kwik.setup("proj.settings")

    client = TestClient(get_application())

    document = client.get("/api/schema.json").json()
    assert document["info"] == {
        "title": "Shop API",
        "version": "3.4.5",
        "description": "Everything the shop sells",
    }
    assert document["servers"] == [{"url": "https://shop.example.com", "description": "Production"}]
    assert 'data-openapi-url="/api/schema.json"' in client.get("/api/docs").text
    assert client.get("/api/docs/swagger-ui.css").status_code == 200
    assert client.get("/openapi.json").status_code == 404


def test_openapi_url_none_turns_both_off(project):
    project.settings("OPENAPI_URL = None\nDOCS_URL = None\n")
    kwik.setup("proj.settings")

    client = TestClient(get_application())

    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404


def test_an_empty_environment_value_turns_the_docs_page_off(project, monkeypatch):
    monkeypatch.setenv("KWIK_DOCS_URL", "")
    project.settings()
    kwik.setup("proj.settings")

    client = TestClient(get_application())

    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_a_split_api_serves_each_document_and_the_default_at_openapi_url():
    from kwik.http.openapi.serving import ApiDocument, build_document

    def only(prefix: str):
        def build(routes, info):
            chosen = [r for r in routes if getattr(r, "path", "").startswith(prefix)]
            return build_document(chosen, info)

        return build

    documents = [
        ApiDocument("public", "/openapi/public.json", only("/public"), version="1"),
        ApiDocument("admin", "/openapi/admin.json", only("/admin"), default=True),
    ]
    own = openapi_routes(
        info=INFO, openapi_url="/openapi.json", docs_url="/docs", documents=documents
    )
    client = TestClient(Kwik(routes=[*own, spec_route("/public/a"), spec_route("/admin/b")]))

    public = client.get("/openapi/public.json").json()
    admin = client.get("/openapi/admin.json").json()
    default = client.get("/openapi.json").json()
    page = client.get("/docs").text

    assert list(public["paths"]) == ["/public/a"]
    assert public["info"]["version"] == "1"
    assert list(admin["paths"]) == ["/admin/b"]
    assert admin["info"]["version"] == "2.0"
    assert default == admin
    documents_attribute = re.search(r'data-documents="([^"]*)"', page)
    assert documents_attribute is not None
    assert documents_attribute.group(1).index("admin") < documents_attribute.group(1).index(
        "public"
    )
