"""WebSocket routes are compiled like HTTP ones: path, query, header parameters, dependencies."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel
from starlette.websockets import WebSocketDisconnect

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Depends, Header, Query, Router, WebSocket
from tests.http.clients import client_for


class Message(BaseModel):
    text: str


def room_name(room: str) -> str:
    return room.upper()


def test_path_and_query_parameters_and_dependencies_reach_a_websocket_handler():
    router = Router()

    @router.websocket("/rooms/{room:slug}")
    async def chat(
        websocket: WebSocket,
        room: str,
        nickname: Annotated[str, Query(min_length=2)],
        title: Annotated[str, Depends(room_name)],
        x_client: Annotated[str, Header()] = "unknown",
    ) -> None:
        await websocket.accept()
        await websocket.send_json({"room": room, "title": title, "nick": nickname, "by": x_client})
        await websocket.close()

    with client_for(router).websocket_connect(
        "/rooms/lobby?nickname=ada", headers={"x-client": "cli"}
    ) as connection:
        assert connection.receive_json() == {
            "room": "lobby",
            "title": "LOBBY",
            "nick": "ada",
            "by": "cli",
        }


def test_invalid_parameters_close_the_connection_with_1008_and_the_problems():
    router = Router()

    @router.websocket("/feed")
    async def feed(websocket: WebSocket, since: int) -> None:
        await websocket.accept()

    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client_for(router).websocket_connect("/feed?since=yesterday"),
    ):
        pass

    assert closed.value.code == 1008
    assert closed.value.reason.startswith("query.since: Input should be a valid integer")


def test_a_generator_dependency_stays_open_for_the_whole_connection():
    router = Router()
    events: list[str] = []

    async def subscription():
        events.append("subscribe")
        yield "sub"
        events.append("unsubscribe")

    @router.websocket("/live", dependencies=[Depends(subscription)])
    async def live(websocket: WebSocket) -> None:
        await websocket.accept()
        events.append("connected")
        await websocket.send_text("hello")
        await websocket.close()

    with client_for(router).websocket_connect("/live") as connection:
        assert connection.receive_text() == "hello"

    assert events == ["subscribe", "connected", "unsubscribe"]


def test_a_websocket_handler_reading_a_body_is_refused_at_declaration():
    router = Router()

    async def chat(websocket: WebSocket, message: Message) -> None:
        pass

    with pytest.raises(ImproperlyConfigured, match="reads a request body"):
        router.websocket("/chat")(chat)
