"""Selects run straight on asyncpg (`kwik.db.direct`), on PostgreSQL: the rows are the rows the
session returns (JSON, arrays, enums, UUIDs, decimals, aware timestamps, NULLs, IN lists); a
read-only request borrows one pooled connection and opens no transaction; a request that wrote
reads in its own transaction; SQL echo and execution listeners send statements back through the
session; driver errors arrive as SQLAlchemy's, and a lost connection leaves the pool."""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Enum,
    Integer,
    Interval,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    Uuid,
    bindparam,
    event,
    func,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from kwik.conf.models import CoreSettings
from kwik.db import Database, ListQuery, UTCDateTime
from kwik.db.direct import DirectReads, NotDirect, direct_reads
from tests.conftest import fresh_database
from tests.db.crud_app.models import Product
from tests.db.crud_app.services import ProductService
from tests.db.crud_app.support import create_tables, seed_catalog

pytestmark = pytest.mark.postgres


class Mood(enum.Enum):
    GLAD = "glad"
    SAD = "sad"


metadata = MetaData()
things = Table(
    "direct_things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("price", Numeric(10, 3)),
    Column("seen_at", UTCDateTime()),
    Column("mood", Enum(Mood)),
    Column("code", Uuid),
    Column("data", JSON),
    Column("doc", JSONB),
    Column("tags", ARRAY(String)),
    Column("wait", Interval),
)
THINGS = [
    {
        "id": 1,
        "name": "one",
        "price": Decimal("1.250"),
        "seen_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "mood": Mood.GLAD,
        "code": uuid.UUID(int=1),
        "data": {"a": [1, 2], "b": None},
        "doc": {"nested": {"x": 1.5}},
        "tags": ["red", "blue"],
        "wait": timedelta(minutes=5),
    },
    {
        "id": 2,
        "name": None,
        "price": None,
        "seen_at": None,
        "mood": None,
        "code": None,
        "data": None,
        "doc": None,
        "tags": None,
        "wait": None,
    },
]


@pytest.fixture(scope="module")
def direct_database(postgres_server: str | None) -> Iterator[str]:
    with fresh_database("postgresql", postgres_server, "kwik_db_direct") as url:
        yield url


@pytest.fixture
async def database(direct_database: str) -> AsyncIterator[Database]:
    database = Database(CoreSettings(DEBUG=True, DATABASE_URL=direct_database))
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
        await connection.execute(things.insert(), THINGS)
    await create_tables(database.engine)
    try:
        yield database
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP TABLE IF EXISTS crud_product, crud_category"))
        await database.dispose()


@pytest.fixture
async def catalog(database: Database) -> AsyncIterator[Database]:
    async with database.sessionmaker()() as session:
        await seed_catalog(session)
    return database


def reads_of(session: AsyncSession) -> DirectReads | None:
    return DirectReads.for_session(session.sync_session, session.sync_session.get_bind())


async def direct(session: AsyncSession, statement: Any, params: Any = None) -> list[tuple]:
    reads = reads_of(session)
    assert reads is not None
    rows = await reads.run(
        session.sync_session.get_bind(),
        lambda connection: reads.fetch(connection, statement, params),
    )
    return [tuple(row) for row in rows]


async def through_session(session: AsyncSession, statement: Any, params: Any = None) -> list:
    return [tuple(row) for row in (await session.execute(statement, params)).all()]


STATEMENTS = [
    select(things).order_by(things.c.id),
    select(things.c.id, things.c.data["a"].label("a")).order_by(things.c.id),
    select(things.c.id).where(things.c.id.in_([1, 2, 3])).order_by(things.c.id),
    select(things.c.id).where(things.c.id.in_([2])),
    select(things.c.name).where(things.c.tags.contains(["red"])),
    select(func.count()).select_from(things),
]


@pytest.mark.parametrize("index", range(len(STATEMENTS)))
async def test_rows_equal_the_rows_the_session_returns(database, index):
    async with database.sessionmaker()() as session:
        fast = await direct(session, STATEMENTS[index])
        slow = await through_session(session, STATEMENTS[index])

    assert fast == slow
    assert fast  # every statement finds something


async def test_values_are_converted_as_sqlalchemy_converts_them(database):
    async with database.sessionmaker()() as session:
        (first, second) = await direct(session, select(things).order_by(things.c.id))
        (expected, _) = await through_session(session, select(things).order_by(things.c.id))

    assert first[3] == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert first[3].tzinfo is UTC
    assert first[4] is Mood.GLAD
    assert first[5] == uuid.UUID(int=1)
    assert [type(value) for value in first] == [type(value) for value in expected]
    assert first[6] == {"a": [1, 2], "b": None}
    assert first[8] == ["red", "blue"]
    assert first[9] == timedelta(minutes=5)
    assert first[2] == Decimal("1.250")
    assert set(second[1:]) == {None}


async def test_a_template_takes_its_values_by_name_and_is_compiled_once(database):
    template = select(things.c.name).where(things.c.id == bindparam("key"))
    reads = direct_reads(database.engine.sync_engine.dialect)
    async with database.sessionmaker()() as session:
        assert await direct(session, template, {"key": 1}) == [("one",)]
        compiled = reads.compiled(template, {"key": 2})
        assert compiled is not None
        assert reads.compiled(template, {"key": 1})[0] is compiled[0]  # type: ignore[index]
        assert await direct(session, template, {"key": 2}) == [(None,)]
        assert await direct(session, template, {"key": 3}) == []


async def test_statements_of_one_shape_share_one_compiled_select(database):
    reads = direct_reads(database.engine.sync_engine.dialect)
    first = reads.compiled(select(things.c.id).where(things.c.id > 0).limit(5))
    second = reads.compiled(select(things.c.id).where(things.c.id > 1).limit(9))

    assert first is not None
    assert second is not None
    assert first[0] is second[0]
    assert first[1] != second[1]


async def test_a_read_only_list_borrows_one_connection_and_begins_nothing(catalog):
    checkouts: list[object] = []
    event.listen(catalog.engine.sync_engine.pool, "checkout", lambda *args: checkouts.append(1))
    async with catalog.sessionmaker()() as session:
        products = ProductService(session)
        page = await products.list(ListQuery(limit=2, offset=1))  # rows and a count
        detail = await products.read(page.items[0].id)

        assert page.total == 6
        assert len(page.items) == 2
        assert detail == page.items[0]
        assert not session.in_transaction()
    assert len(checkouts) == 2
    assert catalog.engine.sync_engine.pool.checkedout() == 0


async def test_a_request_that_wrote_reads_in_its_own_transaction(catalog):
    async with catalog.sessionmaker()() as session:
        await session.execute(text("UPDATE crud_product SET name = 'Renamed' WHERE id = 1"))
        assert (await ProductService(session).read(1)).name == "Renamed"
        await session.rollback()
        assert (await ProductService(session).read(1)).name == "Desk lamp"


async def test_echo_and_execution_listeners_send_statements_through_the_session(catalog):
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = catalog.engine.sync_engine
    async with catalog.sessionmaker()() as session:
        assert reads_of(session) is not None
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert reads_of(session) is None
            page = await ProductService(session).list(ListQuery(limit=2))
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        engine.echo = True
        try:
            assert reads_of(session) is None
        finally:
            engine.echo = False

    assert len(page.items) == 2
    assert any("crud_product" in statement for statement in statements)


async def test_a_bad_statement_raises_sqlalchemys_error(database):
    missing = Table("direct_missing", MetaData(), Column("id", Integer, primary_key=True))
    async with database.sessionmaker()() as session:
        with pytest.raises(ProgrammingError, match="direct_missing"):
            await direct(session, select(missing))
        assert await direct(session, select(things.c.id).where(things.c.id == 1)) == [(1,)]


async def test_a_lost_connection_is_dropped_from_the_pool(database):
    statement = select(things.c.id).where(things.c.id == 1)
    async with database.sessionmaker()() as session:
        reads = reads_of(session)
        assert reads is not None

        async def on_a_connection_the_server_ends(connection: Any) -> None:
            pid = connection.driver_connection.get_server_pid()
            async with database.engine.connect() as other:
                await other.execute(text(f"SELECT pg_terminate_backend({pid})"))
            await reads.fetch(connection, statement)

        with pytest.raises(DBAPIError) as raised:
            await reads.run(session.sync_session.get_bind(), on_a_connection_the_server_ends)
        assert raised.value.connection_invalidated

        # the pool opens a new connection for the next read
        assert await direct(session, statement) == [(1,)]


async def test_a_database_out_of_reach_fails_as_it_does_through_the_session(direct_database):
    url = make_url(direct_database).set(port=1).render_as_string(hide_password=False)
    database = Database(CoreSettings(DEBUG=True, DATABASE_URL=url))
    try:
        async with database.sessionmaker()() as session:
            with pytest.raises(ConnectionRefusedError) as direct_error:
                await ProductService(session).read(1)
            with pytest.raises(ConnectionRefusedError) as session_error:
                await session.execute(select(things.c.id))
    finally:
        await database.dispose()

    assert str(direct_error.value) == str(session_error.value)


async def test_a_session_in_a_transaction_reads_through_the_session(database):
    async with database.sessionmaker()() as session:
        await session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
        assert session.in_transaction()
        assert reads_of(session) is None  # its isolation level, its snapshot


async def test_setup_the_driver_path_would_skip_sends_reads_through_the_session(database):
    def noop(*args: Any) -> None:
        pass

    async with database.sessionmaker()() as session:
        assert reads_of(session) is not None
        event.listen(session.sync_session, "after_begin", noop)
        assert reads_of(session) is None  # SET LOCAL of a tenant, a search_path...
        event.remove(session.sync_session, "after_begin", noop)

        engine = database.engine.sync_engine
        event.listen(engine, "begin", noop)
        assert reads_of(session) is None
    stricter = Database(
        CoreSettings(
            DEBUG=True,
            DATABASE_URL=database.settings.DATABASE_URL,
            DATABASE_CONNECT_ARGS={},
        )
    )
    stricter_engine = stricter.engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        async with AsyncSession(stricter_engine) as session:
            assert reads_of(session) is None
    finally:
        await stricter.dispose()


class Shouting(TypeDecorator[str]):
    """A type SQLAlchemy won't cache statements with."""

    impl = String(200)
    cache_ok = False

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else value.upper()


class LoudProducts(ProductService):
    pass


async def test_a_statement_sqlalchemy_wont_cache_is_read_through_the_session(catalog):
    one_connection = Database(
        CoreSettings(
            DEBUG=True,
            DATABASE_URL=catalog.settings.DATABASE_URL,
            DATABASE_POOL_SIZE=1,
            DATABASE_MAX_OVERFLOW=0,
            DATABASE_POOL_TIMEOUT=2,
        )
    )
    column = Product.__table__.c.name
    loud = select(type_coerce(column, Shouting()).label("name")).order_by(column).limit(1)
    try:
        async with one_connection.sessionmaker()() as session:
            reads = reads_of(session)
            assert reads is not None
            assert reads.compiled(loud) is None  # no cache key

            products = LoudProducts(session)
            rows = await products._read(lambda fetch: fetch(loud, None))
            # one pooled connection: the borrowed one went back before the session took it
            assert [tuple(row) for row in rows] == [("DESK LAMP",)]
    finally:
        await one_connection.dispose()


async def test_without_asyncpgs_statement_cache_reads_go_through_the_session(catalog):
    uncached = Database(
        CoreSettings(
            DEBUG=True,
            DATABASE_URL=catalog.settings.DATABASE_URL,
            DATABASE_CONNECT_ARGS={"statement_cache_size": 0},  # as behind PgBouncer
        )
    )
    try:
        async with uncached.sessionmaker()() as session:
            reads = reads_of(session)
            assert reads is not None
            with pytest.raises(NotDirect):
                await reads.run(
                    session.sync_session.get_bind(),
                    lambda connection: reads.fetch(connection, select(things.c.id)),
                )
            page = await ProductService(session).list(ListQuery(limit=2))
        assert [item.name for item in page.items] == ["Desk lamp", "Floor LAMP"]
    finally:
        await uncached.dispose()
