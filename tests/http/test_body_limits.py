"""MAX_REQUEST_BODY_SIZE: bodies above the limit are refused with a 413 while they stream in."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx2
import pytest
from pydantic import BaseModel
from starlette.middleware import Middleware
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

import kwik
from kwik.http import Kwik, Request, Router, StreamingResponse
from tests.http.clients import client_for, problem
from tests.support import serve


class Note(BaseModel):
    text: str


def notes_router() -> Router:
    router = Router()

    @router.post("/notes")
    async def create(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @router.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    return router


def test_a_body_within_the_limit_is_read():
    client = client_for(notes_router(), max_body_size=100)

    assert client.post("/notes", json={"text": "x" * 50}).json() == {"length": 50}


def test_a_declared_length_above_the_limit_is_a_413_problem():
    client = client_for(notes_router(), max_body_size=100)

    response = client.post("/notes", json={"text": "x" * 200})

    assert response.status_code == 413
    assert problem(response) == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": "The request body is larger than 100 bytes, the most this server accepts",
        "limit": 100,
    }


def test_the_limit_applies_to_a_handler_reading_the_request_itself():
    client = client_for(notes_router(), max_body_size=10)

    assert client.post("/raw", content=b"x" * 11).status_code == 413


def test_a_streamed_body_without_a_length_is_counted_as_it_arrives():
    client = client_for(notes_router(), max_body_size=1000)

    def chunks():  # no Content-Length: sent with chunked transfer encoding
        for _ in range(10):
            yield b"x" * 200

    assert client.post("/raw", content=chunks()).status_code == 413


def test_max_body_size_none_turns_the_limit_off():
    client = client_for(notes_router(), max_body_size=None)

    assert client.post("/raw", content=b"x" * 2_000_000).json() == {"length": 2_000_000}


def test_the_limit_defaults_to_one_mebibyte():
    client = client_for(notes_router())

    assert client.post("/raw", content=b"x" * (1024 * 1024)).status_code == 200
    assert client.post("/raw", content=b"x" * (1024 * 1024 + 1)).status_code == 413


def test_the_limit_comes_from_the_max_request_body_size_setting(project):
    project.settings("MAX_REQUEST_BODY_SIZE = 16")
    kwik.setup("proj.settings")
    client = client_for(notes_router())

    assert client.post("/raw", content=b"x" * 16).status_code == 200
    assert client.post("/raw", content=b"x" * 17).status_code == 413


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@pytest.mark.slow
def test_a_huge_chunked_body_is_refused_over_a_real_socket_before_it_is_all_sent():
    limit = 64 * 1024
    total = 256 * 1024 * 1024  # far more than any socket buffer holds
    app = Kwik(routes=notes_router().routes, max_body_size=limit)
    piece = _chunk(b"x" * 16 * 1024)
    with serve(app) as base_url:
        address = urlsplit(base_url)
        sent = 0
        reply = b""
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(
                b"POST /notes HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            deadline = time.monotonic() + 30
            try:
                while sent < total and time.monotonic() < deadline:
                    readable, _, _ = select.select([sock], [], [], 0)
                    if readable:
                        break
                    sock.sendall(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server closed the connection after answering
            sock.settimeout(10)
            while b"\r\n\r\n" not in reply:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data

    assert reply.startswith(b"HTTP/1.1 413 "), reply[:200]
    assert b"application/problem+json" in reply
    assert sent < total, sent


def streaming_router() -> Router:
    router = Router()

    @router.post("/export")
    async def export() -> StreamingResponse:  # never reads the request's body
        async def lines() -> AsyncIterator[bytes]:
            for number in range(3):
                yield f"{number}\n".encode()

        return StreamingResponse(lines(), media_type="text/plain")

    @router.post("/shout")
    async def shout(request: Request) -> StreamingResponse:
        text = await request.body()  # read before the response starts

        async def upper() -> AsyncIterator[bytes]:
            yield text.upper()

        return StreamingResponse(upper(), media_type="text/plain")

    return router


@pytest.mark.slow
def test_a_stream_not_reading_an_over_limit_body_is_sent_whole_over_a_real_socket():
    app = Kwik(routes=streaming_router().routes, max_body_size=1000)
    with serve(app) as base_url, httpx2.Client(base_url=base_url) as client:
        declared = client.post("/export", content=b"x" * 5000)
        chunked = client.post("/export", content=iter([b"x" * 800] * 5))
        after = client.post("/export")  # the same connection is still usable

    assert (declared.status_code, declared.text) == (200, "0\n1\n2\n")
    assert (chunked.status_code, chunked.text) == (200, "0\n1\n2\n")
    assert (after.status_code, after.text) == (200, "0\n1\n2\n")


def test_a_streaming_handler_reading_an_over_limit_body_still_gets_the_413():
    client = client_for(streaming_router(), max_body_size=10)

    assert client.post("/shout", content=b"quiet").text == "QUIET"
    assert problem(client.post("/shout", content=b"x" * 11))["limit"] == 10


class ReadsTheBodyFirst:
    """A middleware that reads the whole body before the application sees the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            more = True
            while more:
                message = await receive()
                more = message.get("more_body", False)
        await self.app(scope, receive, send)


def test_a_middleware_reading_too_much_gets_the_413_problem_too():
    app = Kwik(
        routes=notes_router().routes, middleware=[Middleware(ReadsTheBodyFirst)], max_body_size=10
    )

    response = TestClient(app).post("/raw", content=b"x" * 11)

    assert response.status_code == 413
    assert problem(response)["limit"] == 10
