"""Selects run straight on asyncpg: how the CRUD service's reads get close to the driver's speed.

On PostgreSQL a read through the session costs far more in Python than in the database: a
session and its transaction (`BEGIN` and `COMMIT` round trips), then, per statement, SQLAlchemy's
execution context, cursor adapter and result object, each crossing into a greenlet and back. A
read that only selects columns needs none of it. `DirectReads` compiles each statement shape once
(keyed by SQLAlchemy's own cache key, so the same statements share one entry whatever their
values), then runs it with asyncpg's `fetch`: prepared once per connection by asyncpg's statement
cache, bound with the parameters SQLAlchemy would send, and read back through the column types'
result processors, so values come out exactly as SQLAlchemy returns them.

Where the statement runs:

- in the session's transaction when it has one (the request wrote, or tests bound every session
  to their connection): the read sees the session's own flushed writes;
- otherwise on a connection borrowed from the engine's pool for the read, with no transaction:
  each statement is its own, as each statement in a READ COMMITTED transaction sees its own
  snapshot anyway, and a read-only request makes no `BEGIN` or `COMMIT` round trip.

Anything SQLAlchemy would do around the execution that this path would skip makes it step
aside (`DirectReads.for_session` returns None, and the caller executes through the session):
another driver, SQL echo, execution event listeners, a schema translate map.
"""

from __future__ import annotations

import collections
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import LRUCache, greenlet_spawn

__all__ = ["CompiledSelect", "DirectReads", "direct_reads"]

Processor = Callable[[Any], Any]

_EXECUTION_EVENTS = ("before_execute", "after_execute", "before_cursor_execute")


class CompiledSelect:
    """One select shape compiled for asyncpg: its SQL, its parameters in order, and (after the
    first run) how each result column is converted back."""

    __slots__ = ("_compiled", "_dialect", "_processors", "_row", "names", "sql")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect, names: Sequence[str]) -> None:
        self._compiled = compiled
        self._dialect = dialect
        self.sql: str = compiled.string
        self.names = tuple(names)
        self._row: Callable[[Sequence[Any]], Any] = collections.namedtuple(  # type: ignore[misc]
            "Row", self.names
        )._make
        self._processors: tuple[Processor | None, ...] | None = None

    @classmethod
    def compile(
        cls, statement: Select[Any], dialect: Dialect, cache_key: Any = None
    ) -> CompiledSelect | None:
        """`statement` compiled, or None when it needs what only SQLAlchemy's execution does
        (result columns it can't name as attributes, escaped parameter names)."""
        compiled = statement.compile(dialect=dialect, cache_key=cache_key)
        assert isinstance(compiled, SQLCompiler)
        if not compiled.positional or compiled.escaped_bind_names:
            return None
        names = [column.keyname for column in compiled._result_columns]
        if not all(name.isidentifier() and not name.startswith("_") for name in names):
            return None
        if len(set(names)) != len(names):
            return None
        return cls(compiled, dialect, names)

    def arguments(
        self,
        params: Mapping[str, Any] | None = None,
        extracted: Sequence[Any] | None = None,
    ) -> tuple[str, list[Any]]:
        """The SQL and the positional arguments for one run: `params` by bind name, or the
        values of a statement of the same shape (`extracted`, from its cache key)."""
        compiled = self._compiled
        values = compiled.construct_params(
            params, extracted_parameters=extracted, escape_names=False
        )
        processors: Mapping[str, Any] = compiled._bind_processors
        sql = self.sql
        order = compiled.positiontup
        if compiled.literal_execute_params or compiled.post_compile_params:
            expanded = compiled._process_parameters_for_postcompile(values)
            sql, order = expanded.statement, expanded.positiontup
            processors = {**processors, **expanded.processors}
        assert order is not None
        arguments = [
            processors[name](values[name]) if name in processors else values[name] for name in order
        ]
        return sql, arguments

    async def fetch(self, connection: Any, sql: str, arguments: Sequence[Any]) -> list[Any]:
        """The rows, as named tuples of the result columns, converted as SQLAlchemy would."""
        if self._processors is None:
            prepared = await connection.prepare(sql)
            types = [attribute.type.oid for attribute in prepared.get_attributes()]
            self._processors = tuple(
                column.type._cached_result_processor(self._dialect, oid)
                for column, oid in zip(self._compiled._result_columns, types, strict=True)
            )
        records = await connection.fetch(sql, *arguments)
        make, processors = self._row, self._processors
        if not any(processors):
            return [make(record) for record in records]
        return [
            make(
                [
                    value if process is None or value is None else process(value)
                    for process, value in zip(processors, record, strict=True)
                ]
            )
            for record in records
        ]


class DirectReads:
    """The compiled selects of one dialect, and running them on a session's connection or the
    engine's pool."""

    def __init__(self, dialect: Dialect, size: int = 500) -> None:
        self.dialect = dialect
        self._shapes: LRUCache[Any, CompiledSelect | None] = LRUCache(size)
        self._templates: LRUCache[int, tuple[Select[Any], CompiledSelect | None]] = LRUCache(size)

    def compiled(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> tuple[CompiledSelect, list[Any], str] | None:
        """`statement`'s compiled shape with this statement's values, or None when it must run
        through the session (a statement SQLAlchemy won't cache, or one `compile` refuses).

        With `params`, `statement` is a template that is made once and run many times with its
        named parameters (`bindparam("key")`) given: it is compiled once and known by identity,
        which saves working out its cache key on every run.
        """
        if params is not None:
            template = self._templates.get(id(statement))
            if template is None or template[0] is not statement:
                template = (statement, CompiledSelect.compile(statement, self.dialect))
                self._templates[id(statement)] = template
            if template[1] is None:
                return None
            sql, arguments = template[1].arguments(params)
            return template[1], arguments, sql
        key = statement._generate_cache_key()
        if key is None:
            return None
        shape = self._shapes.get(key.key, _MISSING)
        if shape is _MISSING:
            shape = CompiledSelect.compile(statement, self.dialect, key)
            self._shapes[key.key] = shape
        if shape is None:
            return None
        assert isinstance(shape, CompiledSelect)
        sql, arguments = shape.arguments(extracted=key.bindparams)
        return shape, arguments, sql

    @staticmethod
    def for_session(session: AsyncSession, model: type[Any]) -> DirectReads | None:
        """The direct reads for `model`'s database in `session`, or None when its statements
        must run through the session."""
        bind = session.sync_session.get_bind(model)
        engine = bind.engine if isinstance(bind, Connection) else bind
        assert isinstance(engine, Engine)
        if engine.dialect.driver != "asyncpg" or engine.echo:
            return None
        if engine._execution_options.get("schema_translate_map"):
            return None
        if any(getattr(engine.dispatch, event) for event in _EXECUTION_EVENTS):
            return None
        if engine.dispatch.after_cursor_execute or session.sync_session.dispatch.do_orm_execute:
            return None
        return direct_reads(engine.dialect)

    @asynccontextmanager
    async def connection(self, session: AsyncSession, model: type[Any]) -> AsyncIterator[Any]:
        """The connection reads of `model` run on in this block: the session's own when it is in
        a transaction (or bound to a test's connection), else one borrowed from the pool."""
        bind = session.sync_session.get_bind(model)
        if session.in_transaction() or isinstance(bind, Connection):
            connection = await session.connection(bind_arguments={"mapper": model})
            yield await connection.get_raw_connection()
            return
        assert isinstance(bind, Engine)
        borrowed = await greenlet_spawn(bind.pool.connect)
        try:
            yield borrowed
        finally:
            await greenlet_spawn(borrowed.close)

    async def fetch(
        self, connection: Any, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> list[Any] | None:
        """`statement`'s rows on `connection` (from `connection()`), or None when it must run
        through the session instead. `params`: see `compiled`."""
        compiled = self.compiled(statement, params)
        if compiled is None:
            return None
        shape, arguments, sql = compiled
        try:
            return await shape.fetch(connection.driver_connection, sql, arguments)
        except Exception as exc:
            raise self._translated(connection, exc, sql, arguments) from exc

    def _translated(
        self, connection: Any, exc: Exception, sql: str, arguments: list[Any]
    ) -> Exception:
        """`exc` from the driver as SQLAlchemy raises it through a session (an IntegrityError,
        an OperationalError...), with a connection the driver lost dropped from the pool."""
        dialect = self.dialect
        try:
            connection.dbapi_connection._handle_exception(exc)
        except dialect.loaded_dbapi.Error as dbapi_error:
            lost = dialect.is_disconnect(dbapi_error, connection.dbapi_connection, None)
            if lost:
                connection.invalidate(dbapi_error)
            return DBAPIError.instance(
                sql,
                arguments,
                dbapi_error,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=lost,
                dialect=dialect,
            )
        except Exception as other:
            return other
        return exc


_MISSING: Any = object()

_by_dialect: weakref.WeakKeyDictionary[Dialect, DirectReads] = weakref.WeakKeyDictionary()
"""One per engine's dialect, gone with the engine (tests make an engine per event loop)."""


def direct_reads(dialect: Dialect) -> DirectReads:
    """The direct reads (and their compiled shapes) of `dialect`, made on first use."""
    found = _by_dialect.get(dialect)
    if found is None:
        found = _by_dialect[dialect] = DirectReads(dialect)
    return found
