"""`CRUDService`: the reads and writes a model's endpoints need, on the request's session.

A service is declared once per model, with allow-lists for what lists may filter and sort by:

    class ProductService(CRUDService[Product]):
        model = Product
        schema = ProductOut
        filter_fields = {"price": ["lt", "lte", "gt", "gte"], "name": ["icontains"]}
        sort_fields = ["price", "name"]

    Products = ProductService.dependency()          # a handler parameter type
    ProductQuery = ProductService.query_dependency()  # the list query from the query string

Writes go through the session's unit of work and are flushed at once, so ids exist and
constraint errors surface inside the handler, as a 409 problem. A write opens no SAVEPOINT of its
own: a 409 that isn't caught rolls the whole request back anyway, so it would cost two round trips
per write for nothing. A handler that catches `Conflict` and carries on wraps the write in
`async with session.begin_nested():`, which rolls back just that write.
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Hashable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel
from sqlalchemy import Row, Select
from sqlalchemy import inspect as mapper_of
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.util import LRUCache
from starlette.requests import Request

from kwik.db.crud.cursor import decode_cursor, encode_cursor
from kwik.db.crud.errors import InvalidData, ObjectNotFound
from kwik.db.crud.integrity import conflict_from
from kwik.db.crud.pages import CursorPage, Page
from kwik.db.crud.parameters import query_params
from kwik.db.crud.query import ListQuery, QueryParams, check_query, parse_query
from kwik.db.crud.rows import RowReader, row_reader
from kwik.db.crud.spec import FilterFields, ListSpec
from kwik.db.crud.statements import (
    Template,
    count_statement,
    count_template,
    cursor_statement,
    detail_template,
    offset_statement,
    offset_template,
    template_shape,
)
from kwik.db.direct import DirectReads, NotDirect
from kwik.db.models import Model, TimestampMixin
from kwik.db.session import DBSession
from kwik.http.params import Depends

__all__ = ["CRUDService", "Data", "QueryFromRequest"]

M = TypeVar("M", bound=Model)
T = TypeVar("T")
Fetch = Callable[[Select[Any], Mapping[str, Any] | None], Awaitable[Sequence[Any]]]
"""Runs a select (with the values of a template's parameters) and returns its rows
(`CRUDService._read`)."""
Data = BaseModel | Mapping[str, Any]
"""What create and update take: a Pydantic model or a dict of field values."""


class CRUDService(Generic[M]):
    """Get, list, create, update and delete rows of `model`, with errors as HTTP problems.

    Class attributes configure it (all but `model` are optional):

    - `model`: the Model class.
    - `schema`: the Pydantic schema `read`, `list` and `list_cursor` return by default.
    - `filter_fields`: field names (every operator that applies) or a mapping of names to
      the operators allowed (`{"price": ["gte", "lte"], "name": "__all__"}`).
    - `sort_fields`: field names a list may be sorted by.
    - `default_sort`: the sort when none is asked for (`["-created_at"]`); the primary key
      always ends the ordering.
    - `default_limit` (20), `max_limit` (100): page sizes; a larger `limit` is a 400.
    - `count_totals` (True): False never counts, for tables where COUNT(*) is too slow.
    - `ignored_parameters`: query parameters lists leave to the endpoint (`["utm_source"]`)
      instead of refusing them as unknown filters.
    - `writable_fields`: the fields create and update accept (default: every column and
      relationship but the primary key and TimestampMixin's `created_at` and `updated_at`, which
      a client must not choose).
    - `load_options`: loader options for reads, e.g. `(selectinload(Product.category),)` when
      the schema includes a relationship (async sessions can't load it lazily).
    - `fast_reads` (True): `read`, `list` and `list_cursor` select only the columns the schema
      needs and validate it from the rows, without loading objects, when the schema is made of
      the model's columns (see `kwik.db.crud.rows`); False always loads objects.
    """

    model: type[M]
    schema: ClassVar[type[BaseModel] | None] = None
    filter_fields: ClassVar[FilterFields] = ()
    sort_fields: ClassVar[Collection[str]] = ()
    default_sort: ClassVar[Collection[str]] = ()
    default_limit: ClassVar[int] = 20
    max_limit: ClassVar[int] = 100
    count_totals: ClassVar[bool] = True
    ignored_parameters: ClassVar[Collection[str]] = ()
    writable_fields: ClassVar[Collection[str] | None] = None
    load_options: ClassVar[Sequence[ORMOption]] = ()
    fast_reads: ClassVar[bool] = True
    spec: ClassVar[ListSpec]
    """The compiled list options (made when the class is defined)."""
    writable: ClassVar[frozenset[str]]
    _templates: ClassVar[LRUCache[Hashable, Select[Any]]]
    """The fast path's template statements (`kwik.db.crud.statements`), made as queries of
    each shape come."""
    """The fields create and update accept (made when the class is defined)."""
    query_from_request: ClassVar[Callable[[Request], Awaitable[ListQuery]]]
    """The dependency `query_dependency()` declares: the request's query string as a ListQuery
    (400 on any bad parameter but the `ignored_parameters`). One per service class, made when
    the class is defined, that declares every parameter it reads, so OpenAPI documents them."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is None:
            return
        cls._templates = LRUCache(256)
        cls.spec = ListSpec(
            cls.__qualname__,
            cls.model,
            filter_fields=cls.filter_fields,
            sort_fields=cls.sort_fields,
            default_sort=cls.default_sort,
            default_limit=cls.default_limit,
            max_limit=cls.max_limit,
            ignored_parameters=cls.ignored_parameters,
            identity=f"{cls.__module__}.{cls.__qualname__}",
        )
        if cls.writable_fields is not None:
            cls.writable = frozenset(cls.writable_fields)
        else:
            mapper = mapper_of(cls.model)
            chosen_by_kwik = set(cls.spec.primary_key)
            if issubclass(cls.model, TimestampMixin):
                chosen_by_kwik.update(inspect.get_annotations(TimestampMixin))
            fields = {*mapper.columns.keys(), *mapper.relationships.keys()}
            cls.writable = frozenset(fields - chosen_by_kwik)
        # A `query_from_request` the service (or a base) defines itself is kept; then it declares
        # its own parameters, if it wants them documented.
        if isinstance(getattr(cls, "query_from_request", None), QueryFromRequest | None):
            cls.query_from_request = QueryFromRequest(cls)

    def __init__(self, session: AsyncSession) -> None:
        if getattr(type(self), "model", None) is None:
            raise TypeError(f"{type(self).__qualname__} has no model: set `model = YourModel`")
        self.session = session

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} of {self.model.__name__}>"

    # Dependencies -------------------------------------------------------------------------

    @classmethod
    async def from_session(cls, session: DBSession) -> Self:
        """The service on the request's session (the dependency `dependency()` declares)."""
        return cls(session)

    @classmethod
    def dependency(cls) -> Any:
        """`Annotated[cls, Depends(cls.from_session)]`: annotate a handler parameter with it.

        Example:
            Products = ProductService.dependency()

            @router.get("/products/{id:int}")
            async def detail(id: int, products: Products) -> ProductOut:
                return await products.read(id)
        """
        return Annotated[cls, Depends(cls.from_session)]

    @classmethod
    def query_dependency(cls) -> Any:
        """`Annotated[ListQuery, Depends(cls.query_from_request)]`, for list handlers. OpenAPI
        lists every parameter the query takes: each allowed filter, `sort`, `limit`, `offset`,
        `cursor` and `total`.

        Example:
            ProductQuery = ProductService.query_dependency()

            @router.get("/products")
            async def products(products: Products, query: ProductQuery) -> Page[ProductOut]:
                return await products.list(query)
        """
        if getattr(cls, "model", None) is None:
            raise TypeError(f"{cls.__qualname__} has no model: set `model = YourModel`")
        return Annotated[ListQuery, Depends(cls.query_from_request)]

    @classmethod
    def parse_query(cls, params: QueryParams, *, ignore: Iterable[str] = ()) -> ListQuery:
        """`?price__gte=10&sort=-price&limit=20` as a ListQuery; see `kwik.db.crud.query`.

        Parameters named in `ignore` are skipped, as are the service's `ignored_parameters`.
        """
        return parse_query(cls.spec, params, ignore=ignore)

    # Reads --------------------------------------------------------------------------------

    def _key(self, key: Any) -> dict[str, Any]:
        """The primary key `key` (a value, a tuple, or a dict) as field name -> value."""
        names = self.spec.primary_key
        if isinstance(key, Mapping):
            values = [key.get(name) for name in names]
        else:
            values = list(key) if isinstance(key, tuple) else [key]
        if len(values) != len(names):
            raise TypeError(
                f"{self.model.__name__} has the primary key ({', '.join(names)}); got {key!r}"
            )
        return dict(zip(names, values, strict=True))

    def _identity(self, key: Any) -> tuple[Any, ...] | None:
        """The primary key values of `key`; a str value (a path segment) is converted with the
        column's type, and one that doesn't convert can't match a row (None)."""
        identity = []
        for name, value in self._key(key).items():
            if isinstance(value, str):
                try:
                    value = self.spec.fields[name].converter(value)
                except ValueError:
                    return None
            identity.append(value)
        return tuple(identity)

    async def get(self, key: Any) -> M | None:
        """The row with primary key `key` (a value, a tuple, or a dict for composite keys).

        A str key that doesn't convert to the column's type can't match a row, so it is
        reported as missing rather than as a server error.
        """
        identity = self._identity(key)
        if identity is None:
            return None
        return await self.session.get(self.model, identity, options=self.load_options)

    async def get_or_404(self, key: Any) -> M:
        """The row with primary key `key`, or ObjectNotFound (404) naming the model and key."""
        found = await self.get(key)
        if found is None:
            raise ObjectNotFound(self.model.__name__, self._key(key))
        return found

    def _schema(self, schema: type[BaseModel] | None, method: str) -> type[BaseModel]:
        chosen = schema or self.schema
        if chosen is None:
            raise TypeError(
                f"{type(self).__qualname__}.{method}() needs a schema: pass schema=YourSchema "
                "or set `schema = YourSchema` on the service"
            )
        return chosen

    def as_schema(self, obj: M, schema: type[BaseModel] | None = None) -> Any:
        """`obj` as the service's schema (or `schema`), read from its attributes."""
        return self._schema(schema, "as_schema").model_validate(obj, from_attributes=True)

    def _reader(self, schema: type[BaseModel]) -> RowReader | None:
        """How to read `schema` from rows, when the fast path applies."""
        if not self.fast_reads or self.load_options:
            return None
        return row_reader(self.model, schema)

    async def _read(self, work: Callable[[Fetch], Awaitable[T]]) -> T:
        """`work(fetch)`, where `fetch` runs column selects straight on asyncpg where it can
        (`kwik.db.direct`), else through the session. What the session holds unwritten is
        flushed first (a column select doesn't autoflush, and must see the request's writes);
        that begins a transaction, and reads in a transaction go through the session."""
        session = self.session
        sync = session.sync_session
        if sync.new or sync.deleted or (sync.identity_map and sync.dirty):
            await session.flush()
        bind = sync.get_bind(self.model)
        reads = DirectReads.for_session(sync, bind)
        if reads is None:
            return await work(self._execute)
        assert isinstance(bind, Engine)

        async def on(connection: Any) -> T:
            async def fetch(
                statement: Select[Any], params: Mapping[str, Any] | None = None
            ) -> Sequence[Any]:
                return await reads.fetch(connection, statement, params)

            return await work(fetch)

        try:
            return await reads.run(bind, on)
        except NotDirect:
            # A statement the driver path can't run (rare: see kwik.db.direct): the whole read
            # runs again through the session, once the borrowed connection is back in the pool.
            return await work(self._execute)

    async def _execute(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        return (await self.session.execute(statement, params)).all()

    def _template(self, key: Hashable, build: Callable[[Select[Any] | None], Template]) -> Template:
        """This request's values for the template `key`: `build` is given the statement made
        for an earlier request (None the first time, when it makes it)."""
        templates = type(self)._templates
        made = templates.get(key)
        template = build(made)
        if made is None:
            templates[key] = template.statement
        return template

    async def read(self, key: Any, schema: type[BaseModel] | None = None) -> Any:
        """The row with primary key `key` as a schema instance (a detail endpoint's body)."""
        chosen = self._schema(schema, "read")
        reader = self._reader(chosen)
        if reader is None:
            return self.as_schema(await self.get_or_404(key), chosen)
        identity = self._identity(key)
        rows: Sequence[Row[Any]] = ()
        if identity is not None:
            template = self._template(
                ("detail", reader),
                lambda made: detail_template(self.spec, reader.labelled() or (), identity, made),
            )
            rows = await self._read(lambda fetch: fetch(*template))
        if not rows:
            raise ObjectNotFound(self.model.__name__, self._key(key))
        return reader.validate(rows[0])

    def _limit(self, query: ListQuery) -> int:
        return self.spec.default_limit if query.limit is None else query.limit

    async def list(
        self, query: ListQuery | None = None, schema: type[BaseModel] | None = None
    ) -> Page[Any]:
        """One offset page of rows matching `query`, with the total unless it is skipped.

        The total costs a COUNT query only when the page can't tell it: a page with rows but
        fewer than `limit` ends the list, so the total is its offset plus its rows.
        """
        item_schema = self._schema(schema, "list")
        query = check_query(self.spec, query or ListQuery(), pages="offset")
        limit, offset = self._limit(query), query.offset or 0
        reader = self._reader(item_schema)
        if reader is not None:
            page = self._page(query, reader, limit, offset)

            async def rows_and_total(fetch: Fetch) -> tuple[Sequence[Any], int | None]:
                found = await fetch(*page)
                return found, await self._total(query, limit, offset, len(found), fetch)

            objects, total = await self._read(rows_and_total)
            items = reader.validate_all(objects)
        else:
            statement = offset_statement(self.spec, query, limit=limit, offset=offset)
            objects = (await self.session.scalars(statement.options(*self.load_options))).all()
            total = await self._total(query, limit, offset, len(objects), self._execute)
            items = [item_schema.model_validate(obj, from_attributes=True) for obj in objects]
        return Page[item_schema](items=items, total=total, limit=limit, offset=offset)  # type: ignore[valid-type]

    def _page(
        self, query: ListQuery, reader: RowReader, limit: int, offset: int
    ) -> tuple[Select[Any], Mapping[str, Any] | None]:
        """The statement of an offset page of `reader`'s columns: a template when the query's
        filters allow one."""
        columns = reader.labelled()
        assert columns is not None
        shape = template_shape(query)
        if shape is None:
            statement = offset_statement(
                self.spec, query, limit=limit, offset=offset, columns=columns
            )
            return statement, None
        return self._template(
            ("page", reader, self.spec.ordering(query.sort), offset > 0, shape),
            lambda made: offset_template(
                self.spec, query, limit=limit, offset=offset, columns=columns, made=made
            ),
        )

    async def _total(
        self, query: ListQuery, limit: int, offset: int, found: int, fetch: Fetch
    ) -> int | None:
        if not self.count_totals or query.total is False:
            return None
        if 0 < found < limit or (found == 0 and offset == 0):
            return offset + found
        return await self._count(query, fetch)

    async def count(self, query: ListQuery | None = None) -> int:
        """How many rows match the query's filters."""
        query = check_query(self.spec, query or ListQuery())
        return await self._read(lambda fetch: self._count(query, fetch))

    async def _count(self, query: ListQuery, fetch: Fetch) -> int:
        shape = template_shape(query)
        if shape is None:
            rows = await fetch(count_statement(self.spec, query), None)
        else:
            template = self._template(
                ("count", shape), lambda made: count_template(self.spec, query, made)
            )
            rows = await fetch(*template)
        return int(rows[0][0] or 0)

    async def list_cursor(
        self, query: ListQuery | None = None, schema: type[BaseModel] | None = None
    ) -> CursorPage[Any]:
        """One keyset page: rows after the query's cursor (or the first page), and the cursor
        of the page after it. Pages are stable while rows are added or removed elsewhere."""
        item_schema = self._schema(schema, "list_cursor")
        query = check_query(self.spec, query or ListQuery(), pages="cursor")
        limit = self._limit(query)
        ordering, values = self.spec.ordering(query.sort), None
        if query.cursor is not None:
            ordering, values = decode_cursor(self.spec, query.cursor, query.sort)
        reader = self._reader(item_schema)
        columns = reader.labelled([key.field for key in ordering]) if reader else None
        statement = cursor_statement(
            self.spec, query, ordering=ordering, values=values, limit=limit, columns=columns
        )
        if reader is not None and columns is not None:
            objects: Sequence[Any] = await self._read(lambda fetch: fetch(statement, None))
            items = reader.validate_all(objects[:limit])
        else:
            objects = (await self.session.scalars(statement.options(*self.load_options))).all()
            items = [
                item_schema.model_validate(obj, from_attributes=True) for obj in objects[:limit]
            ]
        next_cursor = None
        if len(objects) > limit:
            next_cursor = encode_cursor(self.spec, ordering, objects[limit - 1])
        return CursorPage[item_schema](items=items, next_cursor=next_cursor, limit=limit)  # type: ignore[valid-type]

    # Writes -------------------------------------------------------------------------------

    def _values(self, data: Data, *, partial: bool) -> dict[str, Any]:
        if isinstance(data, BaseModel):
            values = data.model_dump(exclude_unset=partial)
        else:
            values = dict(data)
        unknown = [name for name in values if name not in self.writable]
        if unknown:
            raise InvalidData(self.model.__name__, unknown, sorted(self.writable))
        return values

    @asynccontextmanager
    async def _writing(self, action: str, data: Mapping[str, Any] | None) -> AsyncIterator[None]:
        """Make a write and flush it; an IntegrityError becomes a 409 Conflict.

        Changes made earlier in the session are flushed first, so an error in those is not
        reported as this write's (flushing nothing costs nothing). No SAVEPOINT is opened: see
        the module's docstring, and docs/database.md for catching a Conflict.
        """
        await self.session.flush()
        try:
            yield
            await self.session.flush()
        except IntegrityError as exc:
            raise conflict_from(exc, self.model, action, data) from None

    async def create(self, data: Data) -> M:
        """A new row from `data` (all of a schema's fields, defaults included), flushed."""
        values = self._values(data, partial=False)
        obj = self.model(**values)
        async with self._writing("create", values):
            self.session.add(obj)
        return obj

    async def bulk_create(self, items: Iterable[Data]) -> builtins.list[M]:
        """New rows from each of `items`, flushed together (one INSERT per batch): all are
        written, or none (a 409 for the first the database refuses)."""
        rows = [self._values(item, partial=False) for item in items]
        objects = [self.model(**values) for values in rows]
        async with self._writing("create", rows[0] if len(rows) == 1 else None):
            self.session.add_all(objects)
        return objects

    async def update(self, target: Any, data: Data) -> M:
        """Change only the fields `data` gives (a schema's set fields, a dict's keys) of the row
        `target` (an object, or a primary key: 404 when missing); flushed."""
        obj = target if isinstance(target, self.model) else await self.get_or_404(target)
        values = self._values(data, partial=True)
        async with self._writing("update", values):
            for name, value in values.items():
                setattr(obj, name, value)
        return obj

    async def delete(self, target: Any) -> None:
        """Delete the row `target` (an object, or a primary key: 404 when missing); flushed, so
        a row other rows still reference is a 409 here."""
        obj = target if isinstance(target, self.model) else await self.get_or_404(target)
        async with self._writing("delete", None):
            await self.session.delete(obj)


class QueryFromRequest:
    """A service's `query_from_request`: the dependency that parses its list query from the
    request's query string.

    It reads `request.query_params` itself (the syntax has a parameter per field and operator),
    so it declares them in `param_specs`, made once from the service's ListSpec: OpenAPI then
    documents each filter, the sort and the paging parameters the list accepts.
    """

    def __init__(self, service: type[CRUDService[Any]]) -> None:
        self.service = service
        self.param_specs = query_params(service.spec)
        # How messages and tracebacks name it: shop.catalog.services.ProductService.query_...
        self.__module__ = service.__module__
        self.__qualname__ = f"{service.__qualname__}.query_from_request"

    async def __call__(self, request: Request) -> ListQuery:
        return self.service.parse_query(request.query_params)

    def __repr__(self) -> str:
        return f"<{self.__qualname__}>"
