"""An app that skips validation: it answers the good requests right and accepts the bad ones."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def ping(request: Request) -> JSONResponse:
    return JSONResponse({"ping": "pong"})


async def read_item(request: Request) -> JSONResponse:
    item_id = request.path_params["item_id"]
    return JSONResponse(
        {
            "id": item_id,
            "name": f"Item {item_id}",
            "price": 9.99,
            "tags": ["bench"],
            "q": request.query_params.get("q"),
        }
    )


async def create_item(request: Request) -> JSONResponse:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = {}
    return JSONResponse({"tags": [], "dimensions": None, **body, "id": 1}, 201)


app = Starlette(
    routes=[
        Route("/ping", ping),
        Route("/items/{item_id:int}", read_item),
        Route("/items", create_item, methods=["POST"]),
    ]
)
