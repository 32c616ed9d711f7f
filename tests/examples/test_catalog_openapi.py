"""The catalog example's OpenAPI document, as `kwik openapi` prints it for a project that
installs the app: its list endpoints show the filters, sort and paging they accept."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.support import run_kwik

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("shop")
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "settings.py").write_text('DEBUG = True\nINSTALLED_APPS = ["catalog"]\n')
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.kwik]\nsettings = "shop.settings"\n'
    )
    path = os.pathsep.join([str(EXAMPLES), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)

    result = run_kwik("openapi", cwd=root, env={"PYTHONPATH": path})

    assert result.returncode == 0, result.stderr
    built: dict[str, Any] = json.loads(result.stdout)
    validate(built)
    return built


def test_the_product_list_documents_the_catalogs_filters_sort_and_paging(document):
    params = document["paths"]["/catalog/products"]["get"]["parameters"]

    assert [p["name"] for p in params] == [
        "name",
        "name__icontains",
        "price__lt",
        "price__lte",
        "price__gt",
        "price__gte",
        "active",
        "category_id",
        "category_id__in",
        "category_id__isnull",
        "sort",
        "limit",
        "offset",
        "cursor",
        "total",
    ]
    by_name = {p["name"]: p for p in params}
    assert by_name["price__gte"]["schema"]["format"] == "decimal"
    assert by_name["sort"]["schema"]["default"] == "name"
    assert by_name["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }


def test_the_feed_documents_the_same_query(document):
    products = document["paths"]["/catalog/products"]["get"]["parameters"]

    assert document["paths"]["/catalog/products/feed"]["get"]["parameters"] == products
