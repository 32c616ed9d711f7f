"""`CRUDService`: the reads and writes a model's endpoints need, on the request's session.

A service is declared once per model, with allow-lists for what lists may filter and sort by:

    class ProductService(CRUDService[Product]):
        model = Product
        schema = ProductOut
        filter_fields = {"price": ["lt", "lte", "gt", "gte"], "name": ["icontains"]}
        sort_fields = ["price", "name"]

    Products = ProductService.dependency()          # a handler parameter type
    ProductQuery = ProductService.query_dependency()  # the list query from the query string

Writes go through the session's unit of work inside a SAVEPOINT and are flushed at once, so ids
exist and constraint errors surface inside the handler, as a 409 problem. The savepoint is rolled
back on such an error and the rest of the request's transaction stays usable; whether the request
then commits is the handler's choice (raising the 409 rolls the whole request back).
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption
from starlette.requests import Request

from kwik.db.crud.cursor import decode_cursor, encode_cursor
from kwik.db.crud.errors import InvalidData, InvalidQuery, ObjectNotFound
from kwik.db.crud.integrity import conflict_from
from kwik.db.crud.pages import CursorPage, Page
from kwik.db.crud.query import ListQuery, QueryParams, parse_query
from kwik.db.crud.spec import FilterFields, ListSpec
from kwik.db.crud.statements import (
    count_statement,
    cursor_statement,
    offset_statement,
    ordering_of,
)
from kwik.db.models import Model
from kwik.db.session import DBSession
from kwik.http.params import Depends

__all__ = ["CRUDService", "Data"]

M = TypeVar("M", bound=Model)
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
    - `writable_fields`: the fields create and update accept (default: every column and
      relationship).
    - `load_options`: loader options for reads, e.g. `(selectinload(Product.category),)` when
      the schema includes a relationship (async sessions can't load it lazily).
    """

    model: type[M]
    schema: ClassVar[type[BaseModel] | None] = None
    filter_fields: ClassVar[FilterFields] = ()
    sort_fields: ClassVar[Collection[str]] = ()
    default_sort: ClassVar[Collection[str]] = ()
    default_limit: ClassVar[int] = 20
    max_limit: ClassVar[int] = 100
    count_totals: ClassVar[bool] = True
    writable_fields: ClassVar[Collection[str] | None] = None
    load_options: ClassVar[Sequence[ORMOption]] = ()
    spec: ClassVar[ListSpec]
    """The compiled list options (made when the class is defined)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is not None:
            cls.spec = ListSpec(
                cls.__qualname__,
                cls.model,
                filter_fields=cls.filter_fields,
                sort_fields=cls.sort_fields,
                default_sort=cls.default_sort,
                default_limit=cls.default_limit,
                max_limit=cls.max_limit,
            )

    def __init__(self, session: AsyncSession) -> None:
        if getattr(type(self), "model", None) is None:
            raise TypeError(f"{type(self).__qualname__} has no model: set `model = YourModel`")
        self.session = session
        self._dialect: str | None = None

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
    async def query_from_request(cls, request: Request) -> ListQuery:
        """The request's query string as a ListQuery (400 on any bad parameter)."""
        return cls.parse_query(request.query_params)

    @classmethod
    def query_dependency(cls) -> Any:
        """`Annotated[ListQuery, Depends(cls.query_from_request)]`, for list handlers."""
        return Annotated[ListQuery, Depends(cls.query_from_request)]

    @classmethod
    def parse_query(cls, params: QueryParams, *, ignore: Iterable[str] = ()) -> ListQuery:
        """`?price__gte=10&sort=-price&limit=20` as a ListQuery; see `kwik.db.crud.query`."""
        return parse_query(cls.spec, params, ignore=ignore)

    # Reads --------------------------------------------------------------------------------

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`: the database the session talks to."""
        if self._dialect is None:
            self._dialect = self.session.get_bind().dialect.name
        return self._dialect

    def _identity(self, key: Any) -> tuple[tuple[Any, ...] | None, dict[str, Any]]:
        """The primary key `key` as a tuple (None when it can't be one), and as name -> value.

        A str key (a path segment) is converted with the column's type; one that doesn't
        convert can't match a row, so it is reported as missing rather than as a server error.
        """
        names = self.spec.primary_key
        if isinstance(key, Mapping):
            values = [key.get(name) for name in names]
        elif isinstance(key, tuple):
            values = list(key)
        else:
            values = [key]
        if len(values) != len(names):
            raise TypeError(
                f"{self.model.__name__} has the primary key ({', '.join(names)}); got {key!r}"
            )
        described = dict(zip(names, values, strict=True))
        converted = []
        for name, value in described.items():
            converter = self.spec.fields[name].converter
            if (
                isinstance(value, str)
                and converter is not None
                and converter.python_type is not str
            ):
                try:
                    value = converter(value)
                except ValueError:
                    return None, described
            converted.append(value)
        return tuple(converted), described

    async def get(self, key: Any) -> M | None:
        """The row with primary key `key` (a value, a tuple, or a dict for composite keys)."""
        identity, _ = self._identity(key)
        if identity is None:
            return None
        return await self.session.get(self.model, identity, options=self.load_options)

    async def get_or_404(self, key: Any) -> M:
        """The row with primary key `key`, or ObjectNotFound (404) naming the model and key."""
        identity, described = self._identity(key)
        found = None
        if identity is not None:
            found = await self.session.get(self.model, identity, options=self.load_options)
        if found is None:
            raise ObjectNotFound(self.model.__name__, described)
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

    async def read(self, key: Any, schema: type[BaseModel] | None = None) -> Any:
        """The row with primary key `key` as a schema instance (a detail endpoint's body)."""
        return self.as_schema(await self.get_or_404(key), schema)

    def _offset(self, offset: int | None) -> int:
        if offset is not None and offset < 0:
            raise InvalidQuery.one(
                "offset", f"offset must be 0 or more, not {offset}", "offset_out_of_range"
            )
        return offset or 0

    async def list(
        self, query: ListQuery | None = None, schema: type[BaseModel] | None = None
    ) -> Page[Any]:
        """One offset page of rows matching `query`, with the total unless it is skipped.

        The total costs a COUNT query only when the page can't tell it: a page with rows but
        fewer than `limit` ends the list, so the total is its offset plus its rows.
        """
        query = query or ListQuery()
        item_schema = self._schema(schema, "list")
        if query.cursor is not None:
            raise InvalidQuery.one(
                "cursor",
                "cursor is not accepted here: this list pages by limit and offset",
                "cursor_not_accepted",
            )
        limit = self.spec.limit(query.limit)
        offset = self._offset(query.offset)
        statement = offset_statement(self.spec, query, self.dialect, limit=limit, offset=offset)
        if self.load_options:
            statement = statement.options(*self.load_options)
        objects = (await self.session.scalars(statement)).all()
        total = await self._total(query, limit, offset, len(objects))
        items = [item_schema.model_validate(obj, from_attributes=True) for obj in objects]
        return Page[item_schema](items=items, total=total, limit=limit, offset=offset)  # type: ignore[valid-type]

    async def _total(self, query: ListQuery, limit: int, offset: int, found: int) -> int | None:
        if not self.count_totals or query.total is False:
            return None
        if 0 < found < limit or (found == 0 and offset == 0):
            return offset + found
        return await self.count(query)

    async def count(self, query: ListQuery | None = None) -> int:
        """How many rows match the query's filters."""
        statement = count_statement(self.spec, query or ListQuery(), self.dialect)
        return int(await self.session.scalar(statement) or 0)

    async def list_cursor(
        self, query: ListQuery | None = None, schema: type[BaseModel] | None = None
    ) -> CursorPage[Any]:
        """One keyset page: rows after the query's cursor (or the first page), and the cursor
        of the page after it. Pages are stable while rows are added or removed elsewhere."""
        query = query or ListQuery()
        item_schema = self._schema(schema, "list_cursor")
        for name in ("offset", "total"):
            if getattr(query, name) is not None:
                raise InvalidQuery.one(
                    name,
                    f"{name} is not accepted here: this list pages by cursor (pass the "
                    "next_cursor of the previous page as cursor)",
                    f"{name}_not_accepted",
                )
        limit = self.spec.limit(query.limit)
        values = None
        ordering = ordering_of(self.spec, query.sort)
        if query.cursor is not None:
            made_for, values = decode_cursor(self.spec, query.cursor)
            if query.sort is not None and made_for != ordering:
                raise InvalidQuery.one(
                    "sort",
                    f"sort differs from the sort the cursor was made for "
                    f"({','.join(map(str, made_for))}): repeat that sort or leave sort out",
                    "sort_mismatch",
                )
            ordering = made_for
        statement = cursor_statement(
            self.spec, query, self.dialect, ordering=ordering, values=values, limit=limit
        )
        if self.load_options:
            statement = statement.options(*self.load_options)
        objects = list((await self.session.scalars(statement)).all())
        next_cursor = encode_cursor(ordering, objects[limit - 1]) if len(objects) > limit else None
        items = [item_schema.model_validate(obj, from_attributes=True) for obj in objects[:limit]]
        return CursorPage[item_schema](items=items, next_cursor=next_cursor, limit=limit)  # type: ignore[valid-type]

    # Writes -------------------------------------------------------------------------------

    @classmethod
    def _writable(cls) -> frozenset[str]:
        cached = cls.__dict__.get("_writable_names")
        if cached is None:
            if cls.writable_fields is not None:
                cached = frozenset(cls.writable_fields)
            else:
                mapper = inspect(cls.model)
                cached = frozenset({*mapper.columns.keys(), *mapper.relationships.keys()})
            cls._writable_names = cached
        return cached

    def _values(self, data: Data, *, partial: bool) -> dict[str, Any]:
        if isinstance(data, BaseModel):
            values = data.model_dump(exclude_unset=partial)
        else:
            values = dict(data)
        writable = self._writable()
        unknown = [name for name in values if name not in writable]
        if unknown:
            raise InvalidData(self.model.__name__, unknown, sorted(writable))
        return values

    @asynccontextmanager
    async def _writing(self, action: str, data: Mapping[str, Any] | None) -> AsyncIterator[None]:
        """Run a write in a SAVEPOINT and flush it; an IntegrityError becomes a 409 Conflict.

        Opening the savepoint flushes changes made earlier in the session, so an error in those
        is not reported as this write's.
        """
        savepoint = await self.session.begin_nested()
        try:
            yield
            await self.session.flush()
        except IntegrityError as exc:
            await savepoint.rollback()
            raise conflict_from(exc, self.model, action, data) from None
        except BaseException:
            if savepoint.is_active:
                await savepoint.rollback()
            raise
        await savepoint.commit()

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
