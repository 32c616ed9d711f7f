"""API_KEY_HEADER and API_KEY_PREFIX: a project names its own header and key prefix, and every
part (issued keys, the check, its problems, OpenAPI) follows."""

from __future__ import annotations

import pytest

from tests.contrib.security.apikeys.helpers import make_key


@pytest.fixture
def key_settings() -> dict[str, object]:
    return {"API_KEY_HEADER": "X-Service-Key", "API_KEY_PREFIX": "acme_live"}


async def test_keys_are_issued_with_the_projects_prefix(client):
    issued = await make_key()

    assert issued.key.startswith("acme_live_")


async def test_the_key_is_read_from_the_projects_header_only(client):
    issued = await make_key()

    by_setting = await client.get("/keyed/orders", headers={"X-Service-Key": issued.key})
    by_default = await client.get("/keyed/orders", headers={"X-API-Key": issued.key})

    assert by_setting.status_code == 200
    assert by_default.status_code == 401
    assert by_default.json()["detail"] == "This needs an API key in the X-Service-Key header"
    assert by_default.headers["www-authenticate"] == 'APIKey header="X-Service-Key"'


async def test_a_key_with_another_prefix_is_malformed_here(client):
    issued = await make_key()
    moved = "kwk_" + issued.key.removeprefix("acme_live_")

    response = await client.get("/keyed/orders", headers={"X-Service-Key": moved})

    assert response.json()["type"] == "urn:kwik:problem:api-key-malformed"


async def test_openapi_names_the_projects_header(client):
    document = (await client.get("/openapi.json")).json()

    assert document["components"]["securitySchemes"]["apiKeyAuth"]["name"] == "X-Service-Key"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("API_KEY_PREFIX", "kwk-live"),
        ("API_KEY_PREFIX", ""),
        ("API_KEY_ROTATION_OVERLAP", -1),
        ("API_KEY_LAST_USED_INTERVAL", -5),
    ],
)
def test_a_bad_api_key_setting_stops_start_up_naming_it(project, setting, value):
    import kwik
    from kwik.exceptions import KwikError

    project.settings(f"{setting} = {value!r}\nINSTALLED_APPS = ['kwik.contrib.security']\n")

    with pytest.raises(KwikError, match=setting):
        kwik.setup("proj.settings")
