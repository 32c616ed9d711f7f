"""Header and cookie parameters: names on the wire, case, aliases, lists, constraints."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Cookie, Header, Router
from tests.http.clients import client_for, problem


class Tracing(BaseModel):
    x_request_id: str
    x_trace_level: int = 0


def test_a_header_parameter_reads_the_header_with_hyphens_for_underscores():
    router = Router()

    @router.get("/agent")
    async def agent(user_agent: Annotated[str, Header()]) -> dict[str, str]:
        return {"agent": user_agent}

    assert client_for(router).get("/agent", headers={"User-Agent": "probe/1"}).json() == {
        "agent": "probe/1"
    }


def test_header_names_match_whatever_their_case():
    router = Router()

    @router.get("/token")
    async def token(x_token: Annotated[str, Header()]) -> dict[str, str]:
        return {"token": x_token}

    assert client_for(router).get("/token", headers={"X-TOKEN": "t1"}).json() == {"token": "t1"}


def test_convert_underscores_false_keeps_the_name_as_written():
    router = Router()

    @router.get("/legacy")
    async def legacy(
        x_legacy: Annotated[str | None, Header(convert_underscores=False)] = None,
    ) -> dict[str, str | None]:
        return {"value": x_legacy}

    client = client_for(router)

    assert client.get("/legacy", headers={"x_legacy": "old"}).json() == {"value": "old"}
    assert client.get("/legacy", headers={"x-legacy": "new"}).json() == {"value": None}


def test_a_header_alias_is_the_header_name():
    router = Router()

    @router.get("/id")
    async def request_id(rid: Annotated[str, Header(alias="X-Request-ID")]) -> dict[str, str]:
        return {"rid": rid}

    assert client_for(router).get("/id", headers={"x-request-id": "r-1"}).json() == {"rid": "r-1"}


def test_a_missing_required_header_is_a_422_located_in_the_headers():
    router = Router()

    @router.get("/token")
    async def token(x_token: Annotated[str, Header()]) -> dict[str, str]:
        return {"token": x_token}

    assert problem(client_for(router).get("/token"))["errors"] == [
        {"loc": ["header", "x-token"], "msg": "Field required", "type": "missing"}
    ]


def test_a_list_header_takes_every_occurrence():
    router = Router()

    @router.get("/forwarded")
    async def forwarded(x_forwarded: Annotated[list[str], Header()] = []) -> list[str]:  # noqa: B006
        return x_forwarded

    response = client_for(router).get(
        "/forwarded", headers=[("x-forwarded", "a"), ("x-forwarded", "b")]
    )

    assert response.json() == ["a", "b"]


def test_header_values_are_converted_and_constrained():
    router = Router()

    @router.get("/retry")
    async def retry(
        x_attempt: Annotated[int, Header(ge=1, le=3)] = 1,
    ) -> dict[str, int]:
        return {"attempt": x_attempt}

    client = client_for(router)

    assert client.get("/retry", headers={"x-attempt": "2"}).json() == {"attempt": 2}
    assert problem(client.get("/retry", headers={"x-attempt": "9"}))["errors"][0]["loc"] == [
        "header",
        "x-attempt",
    ]


def test_a_model_annotated_header_groups_headers():
    router = Router()

    @router.get("/trace")
    async def trace(tracing: Annotated[Tracing, Header()]) -> Tracing:
        return tracing

    response = client_for(router).get("/trace", headers={"X-Request-Id": "r-9"})

    assert response.json() == {"x_request_id": "r-9", "x_trace_level": 0}


def test_a_cookie_parameter_reads_the_cookie():
    router = Router()

    @router.get("/theme")
    async def theme(theme: Annotated[str, Cookie()] = "light") -> dict[str, str]:
        return {"theme": theme}

    client = client_for(router)

    assert client.get("/theme").json() == {"theme": "light"}
    client.cookies.set("theme", "dark")
    assert client.get("/theme").json() == {"theme": "dark"}


def test_a_cookie_alias_is_the_cookie_name_and_constraints_apply():
    router = Router()

    @router.get("/session")
    async def session(
        session_id: Annotated[str, Cookie(alias="sid", min_length=8)],
    ) -> dict[str, str]:
        return {"sid": session_id}

    client = client_for(router)
    client.cookies.set("sid", "short")

    assert problem(client.get("/session"))["errors"] == [
        {
            "loc": ["cookie", "sid"],
            "msg": "String should have at least 8 characters",
            "type": "string_too_short",
        }
    ]


def test_a_list_cookie_is_refused_when_the_route_is_declared():
    router = Router()

    async def basket(ids: Annotated[list[str], Cookie()]) -> dict[str, list[str]]:
        return {"ids": ids}

    with pytest.raises(ImproperlyConfigured, match=r"basket: parameter 'ids' is a list, but"):
        router.get("/basket")(basket)


class Preferences(BaseModel):
    theme: str = "light"
    seen: list[int] = []


def test_a_list_field_of_a_grouped_cookie_model_is_refused_when_the_route_is_declared():
    router = Router()

    async def prefs(preferences: Annotated[Preferences, Cookie()]) -> dict[str, str]:
        return {"theme": preferences.theme}

    with pytest.raises(
        ImproperlyConfigured,
        match=r"prefs: field 'seen' of Preferences \(parameter 'preferences'\) is a list",
    ):
        router.get("/prefs")(prefs)
