"""Hand-written Starlette + Pydantic: the floor kwik is measured against.

What a careful user writes without a framework on top: Starlette routing, Pydantic validating
straight from the body bytes and serializing straight to JSON bytes.
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.apps.schemas import PING, Q_MAX_LENGTH, ItemIn, created, item

JSON = "application/json"


async def ping(request: Request) -> Response:
    return JSONResponse(PING)


async def read_item(request: Request) -> Response:
    q = request.query_params.get("q")
    if q is not None and len(q) > Q_MAX_LENGTH:
        return JSONResponse({"detail": f"q: at most {Q_MAX_LENGTH} characters"}, 422)
    return Response(item(request.path_params["item_id"], q).model_dump_json(), media_type=JSON)


async def create_item(request: Request) -> Response:
    try:
        body = ItemIn.model_validate_json(await request.body())
    except ValidationError as exc:
        return Response(exc.json(include_url=False), 422, media_type=JSON)
    return Response(created(body).model_dump_json(), 201, media_type=JSON)


app = Starlette(
    routes=[
        Route("/ping", ping, methods=["GET"]),
        Route("/items/{item_id:int}", read_item, methods=["GET"]),
        Route("/items", create_item, methods=["POST"]),
    ]
)
