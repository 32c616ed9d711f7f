"""No API key, nor its secret, nor its stored digest appears in a log line at any level (SQL echo
on), a database row, an HTTP answer or the OpenAPI document, across creating, using, rotating,
revoking and listing keys through the code, HTTP and the `kwik apikeys` commands; a key is
printed once, by the command that makes it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import text

import kwik.db
from kwik.cli import main
from kwik.conf import ENVIRONMENT_VARIABLE
from kwik.contrib.security.apikeys import parse_key
from tests.contrib.security.apikeys.helpers import header, make_key, rotate


@pytest.fixture
def key_settings() -> dict[str, object]:
    return {"DATABASE_ECHO": True}  # every SQL statement is logged too


async def stored() -> tuple[set[str], str]:
    """Every digest the database holds, and the whole table as text."""
    async with kwik.db.session() as session:
        rows = (await session.execute(text("SELECT * FROM security_apikey"))).mappings().all()
    digests = {
        row[column]
        for row in rows
        for column in ("secret_digest", "previous_secret_digest")
        if row[column]
    }
    return digests, "\n".join(repr(dict(row)) for row in rows)


class Recorder:
    """Runs the flow, keeping every answer, command output, key handed out and row stored."""

    def __init__(self, client: Any, capsys: pytest.CaptureFixture[str]) -> None:
        self.client = client
        self.capsys = capsys
        self.answers: list[str] = []
        self.outputs: list[str] = []
        self.keys: list[str] = []
        self.digests: set[str] = set()
        self.tables: list[str] = []

    async def note_database(self) -> None:
        digests, table = await stored()
        self.digests |= digests
        self.tables.append(table)

    async def send(self, method: str, url: str, key: str | None = None) -> None:
        response = await self.client.request(method, url, headers=header(key) if key else {})
        self.answers.append(f"{response.status_code} {response.headers!r} {response.text}")
        await self.note_database()

    async def command(self, *args: str) -> str:
        """`kwik apikeys ARGS` in this process (on a thread: it runs its own event loop)."""
        await kwik.db.database().dispose()  # the thread's loop makes (and closes) its own engine

        def run() -> str:
            self.capsys.readouterr()
            with pytest.raises(SystemExit) as exited:
                main(["apikeys", *args])
            captured = self.capsys.readouterr()
            assert exited.value.code == 0, captured
            return captured.out + captured.err

        output = await asyncio.to_thread(run)
        self.outputs.append(output)
        await self.note_database()
        return output

    def handed_out(self, key: str) -> str:
        self.keys.append(key)
        return key

    async def flow(self) -> None:
        coded = self.handed_out((await make_key("coded", ("orders:read",))).key)
        made = await self.command("create", "cli", "--scope", "orders:write")
        typed = self.handed_out(next(line for line in made.splitlines() if line.startswith("kwk_")))
        parsed = parse_key(coded)
        assert parsed is not None
        wrong = type(parsed)(parsed.prefix, parsed.key_id, "W" * 32).text
        for key in (coded, coded[:-1], wrong, None):
            await self.send("GET", "/keyed/orders", key)
        await self.send("POST", "/keyed/orders", coded)
        await self.send("POST", "/keyed/orders", typed)
        rotated = await self.command("rotate", parse_key(typed).key_id, "--overlap", "1h")  # type: ignore[union-attr]
        new = self.handed_out(next(line for line in rotated.splitlines() if line.startswith("kwk")))
        await self.send("POST", "/keyed/orders", typed)
        await self.send("GET", "/keyed/whoami", new)
        await self.command("revoke", parsed.key_id)
        await self.send("GET", "/keyed/orders", coded)
        await self.command("list")
        last = self.handed_out((await rotate(parse_key(new).key_id)).key)  # type: ignore[union-attr]
        await self.send("GET", "/keyed/whoami", last)
        await self.send("GET", "/keyed/whoami", new)

    def secrets(self) -> list[str]:
        """Each key handed out, and its secret alone."""
        found = []
        for key in self.keys:
            parsed = parse_key(key)
            assert parsed is not None
            found += [key, parsed.secret]
        return found


@pytest.fixture
async def recorded(client, caplog, capsys, monkeypatch) -> tuple[Recorder, str]:
    """The whole flow run with every logger at DEBUG: the recorder and the log text."""
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "proj.settings")
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(client, capsys)
    await recorder.flow()
    assert len(recorder.keys) == 4
    assert len(recorder.digests) == 4  # one per secret: the database held each one
    return recorder, caplog.text


async def test_no_log_line_holds_a_key_a_secret_or_a_digest(recorded):
    recorder, logs = recorded

    assert "INSERT INTO security_apikey" in logs  # the logs were on: what follows means something
    assert "UPDATE security_apikey" in logs
    assert [s for s in (*recorder.secrets(), *recorder.digests) if s in logs] == []


async def test_no_row_ever_held_a_key_or_a_secret(recorded):
    recorder, _ = recorded
    tables = "\n".join(recorder.tables)

    assert "secret_digest" in tables
    assert [secret for secret in recorder.secrets() if secret in tables] == []


async def test_keys_are_printed_once_by_their_command_and_nothing_else_shows_a_secret(
    recorded, client
):
    recorder, _ = recorded
    answers = "\n".join(recorder.answers)
    outputs = "\n".join(recorder.outputs)
    document = (await client.get("/openapi.json")).text

    for key in recorder.keys[1:3]:  # made by `create` and `rotate`
        assert outputs.count(key) == 1
    for key in (recorder.keys[0], recorder.keys[3]):  # made in code
        assert key not in outputs
    assert [digest for digest in recorder.digests if digest in outputs] == []
    for seen in (answers, document):
        assert [s for s in (*recorder.secrets(), *recorder.digests) if s in seen] == []
