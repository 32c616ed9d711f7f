"""Selects run straight on asyncpg: how the CRUD service's reads get close to the driver's speed.

On PostgreSQL a read through the session costs far more in Python than in the database: a
session and its transaction (`BEGIN` and `COMMIT` round trips), then, per statement, SQLAlchemy's
execution context, cursor adapter and result object, each crossing into a greenlet and back. A
read that only selects columns needs none of it. `DirectReads` compiles each statement shape once
(keyed by SQLAlchemy's own cache key, so the same statements share one entry whatever their
values), then runs it with asyncpg's `fetch`: prepared once per connection by asyncpg's statement
cache, bound with the parameters SQLAlchemy would send, and read back through the column types'
result processors, so values come out exactly as SQLAlchemy returns them.

It serves reads of a session that has no transaction (a read-only request): they run on a
connection borrowed from the engine's pool for the read, with no transaction. Each statement is
its own, as each statement of a READ COMMITTED transaction sees its own snapshot anyway, and the
request makes no `BEGIN` or `COMMIT` round trip. A session in a transaction (the request wrote,
or tests bound every session to their connection) reads through the session, in it.

Anything SQLAlchemy would do around the execution that this path would skip makes it step
aside (`DirectReads.for_session` returns None, or `fetch` raises NotDirect, and the caller runs
the read through the session): another driver, SQL echo, a connection event listener on the
engine, an `after_begin` or `do_orm_execute` listener on the session, an isolation level above
READ COMMITTED, a schema translate map, a statement SQLAlchemy won't cache, asyncpg's statement
cache turned off.
"""

from __future__ import annotations

import collections
import keyword
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import LRUCache, await_, greenlet_spawn

__all__ = ["CompiledSelect", "DirectReads", "NotDirect", "direct_reads"]

Processor = Callable[[Any], Any]
T = TypeVar("T")


def _attribute_name(name: str) -> bool:
    """Whether a result column can be an attribute of the row tuple."""
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


class CompiledSelect:
    """One select shape compiled for asyncpg: its SQL, its parameters in order, and (after the
    first run) how each result column is converted back."""

    __slots__ = ("_binds", "_compiled", "_dialect", "_processors", "_row", "names", "sql")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect, names: Sequence[str]) -> None:
        self._compiled = compiled
        self._dialect = dialect
        self.sql: str = compiled.string
        self.names = tuple(names)
        self._row: Callable[[Sequence[Any]], Any] = collections.namedtuple(  # type: ignore[misc]
            "Row", self.names
        )._make
        self._processors: tuple[Processor | None, ...] | None = None
        # Parameters in order with their bind processors, when a template's values can be
        # placed straight from `params` (no IN list to expand, no value set in the statement).
        self._binds: tuple[tuple[str, Processor | None], ...] | None = None
        expands = compiled.literal_execute_params or compiled.post_compile_params
        if compiled.positiontup is not None and not expands:
            fixed = {bind.key for bind in compiled.binds.values() if bind.value is not None}
            if not fixed.intersection(compiled.positiontup):
                processors = compiled._bind_processors
                self._binds = tuple((name, processors.get(name)) for name in compiled.positiontup)

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
        if not all(_attribute_name(name) for name in names):
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
        binds = self._binds
        if params is not None and extracted is None and binds is not None:
            try:
                return self.sql, [
                    params[name] if process is None else process(params[name])
                    for name, process in binds
                ]
            except KeyError:
                pass  # a parameter not given: construct_params names it
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
    def for_session(session: Session, bind: Engine | Connection) -> DirectReads | None:
        """The direct reads for `session`'s statements on `bind` (what `session.get_bind(model)`
        returns), or None when they must run through the session."""
        if isinstance(bind, Connection) or session.in_transaction():
            return None  # its transaction, isolation and `after_begin` setup apply to the read
        dialect = bind.dialect
        if dialect.driver != "asyncpg" or bind.echo:
            return None
        options = bind._execution_options
        if options.get("schema_translate_map"):
            return None
        isolation = options.get("isolation_level") or dialect._on_connect_isolation_level
        if isolation not in (None, "READ COMMITTED", "AUTOCOMMIT"):
            return None  # statements of a request would share a snapshot: use a transaction
        if bind._has_events:
            return None  # a connection event listener (SQLAlchemy's own flag) expects to run
        if session.dispatch.after_begin or session.dispatch.do_orm_execute:
            return None
        return direct_reads(dialect)

    async def run(self, bind: Engine, work: Callable[[Any], Awaitable[T]]) -> T:
        """`work(connection)` on a connection borrowed from `bind`'s pool for as long as `work`
        runs, outside any transaction. `work` passes it to `fetch`; a `NotDirect` from there
        goes on up after the connection is back in the pool.

        The connection is checked out, `work` awaited and the connection checked in inside one
        greenlet (the pool's blocking calls need one): a single switch into SQLAlchemy's pool
        instead of one for the checkout and another for the checkin.
        """
        return await greenlet_spawn(_on_borrowed, bind, work)

    async def fetch(
        self, connection: Any, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """`statement`'s rows on `connection` (given to `run`'s work); `params`: see `compiled`.

        Raises NotDirect when the statement must run through the session: SQLAlchemy won't
        cache it, `CompiledSelect.compile` refuses it, or the connection has asyncpg's statement
        cache turned off (`statement_cache_size=0`, as behind PgBouncer), which prepared reads
        need.
        """
        compiled = self.compiled(statement, params)
        driver = connection.driver_connection
        if compiled is None or not _caches_statements(driver):
            raise NotDirect
        shape, arguments, sql = compiled
        try:
            return await shape.fetch(driver, sql, arguments)
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


class NotDirect(Exception):
    """A statement the direct path can't run: run the read through the session instead."""


def _caches_statements(driver: Any) -> bool:
    cache = getattr(driver, "_stmt_cache", None)
    return cache is None or cache.get_max_size() > 0


def _on_borrowed(engine: Engine, work: Callable[[Any], Awaitable[T]]) -> T:
    """Check a connection out of `engine`'s pool (a failure to connect raised as SQLAlchemy's
    error), run `work` on it, and check it back in (in a greenlet: `DirectReads.run`)."""
    borrowed = engine.raw_connection()
    try:
        return await_(work(borrowed))
    finally:
        borrowed.close()


_by_dialect: weakref.WeakKeyDictionary[Dialect, DirectReads] = weakref.WeakKeyDictionary()
"""One per engine's dialect, gone with the engine (tests make an engine per event loop)."""


def direct_reads(dialect: Dialect) -> DirectReads:
    """The direct reads (and their compiled shapes) of `dialect`, made on first use."""
    found = _by_dialect.get(dialect)
    if found is None:
        found = _by_dialect[dialect] = DirectReads(dialect)
    return found
