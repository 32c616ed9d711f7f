"""A site whose routes CSRF protection must get right: JSON and form posts by a logged-in user,
a file upload, handlers reading the raw body or form themselves, an exempt webhook, a route
answering GET and POST, a page rendering `csrf_input()`, and a WebSocket."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel
from starlette.responses import HTMLResponse

from kwik.contrib.auth import CurrentUser, OptionalUser
from kwik.contrib.security.csrf import csrf_exempt
from kwik.http import File, Form, Request, Router, UploadFile, WebSocket, render

router = Router()


class NoteIn(BaseModel):
    text: str


@router.post("/notes", status_code=201)
async def add_note(note: NoteIn, user: CurrentUser) -> dict[str, str]:
    return {"text": note.text, "by": user.email}


@router.delete("/notes/{note_id:int}", status_code=204)
async def delete_note(note_id: int, user: CurrentUser) -> None:
    return None


@router.post("/anyone")
async def anyone(user: OptionalUser) -> dict[str, str | None]:
    return {"user": None if user is None else user.email}


@router.get("/form")
async def form_page(request: Request) -> HTMLResponse:
    return render(request, "site/form.html")


@router.post("/form")
async def submit_form(
    title: Annotated[str, Form()],
    user: CurrentUser,
    tags: Annotated[list[str] | None, Form()] = None,
) -> dict[str, object]:
    return {"title": title, "tags": tags or [], "by": user.email}


@router.post("/upload")
async def upload(document: Annotated[UploadFile, File()], user: CurrentUser) -> dict[str, object]:
    return {"name": document.filename, "size": len(await document.read())}


@router.post("/raw")
async def raw(request: Request, user: CurrentUser) -> dict[str, str]:
    body = await request.body()
    form = await request.form()
    return {"body": body.decode(), "title": str(form["title"])}


@router.post("/fields")
async def fields(request: Request, user: CurrentUser) -> dict[str, object]:
    form = await request.form()
    attachment = form["attachment"]
    return {"title": str(form["title"]), "file": getattr(attachment, "filename", None)}


@router.post("/hooks/payments")
@csrf_exempt
async def payment_hook(user: OptionalUser) -> dict[str, str | None]:
    return {"user": None if user is None else user.email}


@router.route("/either", methods=["GET", "POST"])
async def either(request: Request, user: CurrentUser) -> dict[str, str]:
    return {"method": request.method}


@router.websocket("/feed")
async def feed(websocket: WebSocket, user: CurrentUser) -> None:
    await websocket.accept()
    await websocket.send_json({"user": user.email})
    await websocket.close()
