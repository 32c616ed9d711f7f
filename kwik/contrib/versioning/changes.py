"""Version changes: one handler, written for the newest shape, serving older clients too.

Keeping a copy of every handler per API version makes each fix a fix in N places. Instead a route
declares what changed between versions (a field renamed, removed or added) and these pure functions
translate at the edges: an older client's request body is upgraded to the newest shape before the
handler sees it, and the handler's response is downgraded to the shape that client knows. The same
declarations rewrite the JSON schemas of the older versions' OpenAPI documents
(`kwik.contrib.versioning.schemas`), so the documents describe what those clients really send
and receive.

Nothing here knows the list of versions: the caller passes only the changes that apply to the
requested version, sorted by `since`, oldest first. A change's path is written in the shape its
`since` version introduced, which is the newest shape unless a later change moved the field again:
after `renamed("a", "b", since="v2")` and `renamed("b", "c", since="v3")`, a v1 client's response is
downgraded c -> b -> a and its request upgraded a -> b -> c.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic_core import PydanticSerializationError, to_jsonable_python

from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "Change",
    "ChangeKind",
    "Where",
    "added",
    "check_changes",
    "downgrade",
    "move_key",
    "old_location",
    "ordered",
    "removed",
    "renamed",
    "upgrade",
]

ChangeKind = Literal["renamed", "removed", "added"]
Where = Literal["request", "response", "both"]

_KINDS: tuple[str, ...] = get_args(ChangeKind)
_WHERE: tuple[str, ...] = get_args(Where)
_SEGMENT = re.compile(r"[\w$@-]+")


@dataclass(frozen=True, slots=True)
class Change:
    """One field renamed, removed or added by the version `since`.

    Build one with `renamed()`, `removed()` or `added()`; clients of versions before `since` see the
    old shape. `default` is stored as its JSON form (a datetime becomes its ISO string), since it
    is put into decoded JSON bodies.
    """

    kind: ChangeKind
    path: tuple[str, ...]
    since: str
    old_name: str | None = None
    default: Any = field(default=None, hash=False)
    schema: Mapping[str, Any] | None = field(default=None, hash=False)
    where: Where = "both"
    description: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ImproperlyConfigured(
                f"Change kind {self.kind!r} is unknown; build changes with renamed(), removed() "
                "or added()"
            )
        culprit = _culprit(self)
        _check_path(self.path, culprit)
        if not isinstance(self.since, str) or not self.since.strip():
            raise ImproperlyConfigured(
                f"{culprit}: since= must name the version that made the change, such as 'v2', "
                f"not {self.since!r}"
            )
        if self.where not in _WHERE:
            raise ImproperlyConfigured(
                f"{culprit}: where={self.where!r} is not one of 'request', 'response', 'both'"
            )
        if self.kind == "renamed":
            _check_path((self.old_name,), culprit)
            if self.old_name == self.path[-1]:
                raise ImproperlyConfigured(
                    f"{culprit}: the old and new names are the same; remove this change"
                )
        elif self.old_name is not None:
            raise ImproperlyConfigured(f"{culprit}: only renamed() changes take an old name")
        object.__setattr__(self, "default", _jsonable(self.default, "default", culprit))
        if self.schema is not None:
            if self.kind != "removed":
                raise ImproperlyConfigured(f"{culprit}: only removed() changes take a schema")
            if not isinstance(self.schema, Mapping):
                raise ImproperlyConfigured(
                    f"{culprit}: schema= takes a JSON schema dict such as {{'type': 'string'}}, "
                    f"not {self.schema!r}"
                )
            object.__setattr__(self, "schema", _jsonable(self.schema, "schema", culprit))

    @property
    def old_path(self) -> tuple[str, ...]:
        """Where the field was before `since`: the old name for a rename, else `path`."""
        if self.kind == "renamed" and self.old_name is not None:
            return (*self.path[:-1], self.old_name)
        return self.path

    def applies_to(self, side: Literal["request", "response"]) -> bool:
        """Whether this change translates request bodies (`"request"`) or responses."""
        return self.where == "both" or self.where == side

    def __str__(self) -> str:
        field_name = ".".join(self.path)
        if self.kind == "renamed":
            field_name = f"{'.'.join(self.old_path)} -> {field_name}"
        only = "" if self.where == "both" else f", {self.where}s only"
        return f"{self.kind} {field_name} (since {self.since}{only})"


def renamed(
    old: str,
    new: str,
    *,
    since: str,
    where: Where = "both",
    description: str | None = None,
) -> Change:
    """The field `old` is called `new` from `since` on.

    Both are plain names or dotted paths with the same parent; rename a parent with its own change.

    Example:
        renamed("full_name", "name", since="v2")
        renamed("items.full_name", "items.name", since="v2")
    """
    culprit = f"renamed({old!r}, {new!r})"
    old_path, new_path = _parse(old, culprit), _parse(new, culprit)
    if old_path[:-1] != new_path[:-1]:
        parents = " and ".join(
            repr(".".join(p[:-1])) if p[1:] else "the top level" for p in (old_path, new_path)
        )
        raise ImproperlyConfigured(
            f"{culprit}: the old and new names must share their parent, not {parents}; rename "
            "a parent with its own renamed() change"
        )
    return Change(
        "renamed",
        new_path,
        since,
        old_name=old_path[-1],
        where=where,
        description=description,
    )


def removed(
    field: str,
    *,
    since: str,
    default: Any = None,
    schema: Mapping[str, Any] | None = None,
    where: Where = "both",
    description: str | None = None,
) -> Change:
    """The field existed before `since` and is gone from `since` on.

    Older clients still receive it, set to `default`; if they send it, it is dropped. `schema`
    describes it in the older versions' OpenAPI documents (None: any value).

    Example:
        removed("fax", since="v2", default="", schema={"type": "string"})
    """
    return Change(
        "removed",
        _parse(field, f"removed({field!r})"),
        since,
        default=default,
        schema=schema,
        where=where,
        description=description,
    )


def added(
    field: str,
    *,
    since: str,
    default: Any = None,
    where: Where = "both",
    description: str | None = None,
) -> Change:
    """The field is new in `since`: older clients never send it nor receive it.

    Their requests get `default` filled in; the field is dropped from their responses.

    Example:
        added("nickname", since="v3", default=None)
    """
    return Change(
        "added",
        _parse(field, f"added({field!r})"),
        since,
        default=default,
        where=where,
        description=description,
    )


def check_changes(changes: Sequence[object], owner: str) -> tuple[Change, ...]:
    """The route's `changes=` as a tuple, after checking it once at start-up.

    Raises ImproperlyConfigured naming `owner` (the handler) when an item is not a Change, or when
    two changes of one version claim the same field. The one overlap allowed is a name freed and
    reused in the same version: `renamed("name", "full_name")` or `removed("name")` together with
    `added("name")`.
    """
    if isinstance(changes, str | bytes | Mapping) or not isinstance(changes, Iterable):
        raise ImproperlyConfigured(
            f"Handler {owner}: changes= takes a list of renamed()/removed()/added() items, "
            f"not {changes!r}"
        )
    checked: list[Change] = []
    for item in changes:
        if not isinstance(item, Change):
            raise ImproperlyConfigured(
                f"Handler {owner}: changes= takes renamed()/removed()/added() items, not {item!r}"
            )
        checked.append(item)
    for index, first in enumerate(checked):
        for second in checked[index + 1 :]:
            if first.since == second.since:
                _check_pair(first, second, owner)
    return tuple(checked)


def upgrade(value: Any, changes: Sequence[Change]) -> Any:
    """An older client's decoded request body, in the newest shape the handler expects.

    `changes` are those that apply to the client's version, oldest first. Renamed fields move to
    their new name (a new name also sent wins), removed fields are dropped, added fields absent get
    their default.
    """
    for change in ordered(changes):
        if not change.applies_to("request"):
            continue
        name = change.path[-1]
        for parent in _parents(value, change.path[:-1]):
            if change.kind == "renamed":
                move_key(parent, change.old_name or name, name, target_wins=True)
            elif change.kind == "removed":
                parent.pop(name, None)
            elif name not in parent:
                parent[name] = copy.deepcopy(change.default)
    return value


def downgrade(value: Any, changes: Sequence[Change]) -> Any:
    """The handler's decoded response body, in the shape an older client knows.

    The newest change is undone first: renamed fields go back to their old name, removed fields
    absent are set to their default, added fields are dropped.
    """
    for change in reversed(ordered(changes)):
        if not change.applies_to("response"):
            continue
        name = change.path[-1]
        for parent in _parents(value, change.path[:-1]):
            if change.kind == "renamed":
                move_key(parent, name, change.old_name or name, target_wins=False)
            elif change.kind == "removed":
                if name not in parent:
                    parent[name] = copy.deepcopy(change.default)
            else:
                parent.pop(name, None)
    return value


def old_location(location: Sequence[str | int], changes: Sequence[Change]) -> tuple[str | int, ...]:
    """A validation error's location in the newest request shape, as the older client wrote it.

    Example:
        old_location(("body", "items", 0, "name"), [renamed("items.full_name", "items.name",
        since="v2")]) == ("body", "items", 0, "full_name")
    """
    result = list(location)
    if not result or result[0] != "body":
        return tuple(result)
    for change in reversed(ordered(changes)):
        if change.kind != "renamed" or not change.applies_to("request"):
            continue
        keys = [index for index, part in enumerate(result) if index and isinstance(part, str)]
        depth = len(change.path)
        if len(keys) >= depth and all(result[keys[i]] == change.path[i] for i in range(depth)):
            result[keys[depth - 1]] = change.old_name or change.path[-1]
    return tuple(result)


# Declarations.


def _culprit(change: Change) -> str:
    """How a change is named in its errors: the call that made it, e.g. removed('fax')."""
    if not isinstance(change.path, tuple):
        return f"{change.kind}(path={change.path!r})"
    dotted = ".".join(map(str, change.path))
    if change.kind == "renamed" and isinstance(change.old_name, str):
        old = ".".join((*map(str, change.path[:-1]), change.old_name))
        return f"renamed({old!r}, {dotted!r})"
    return f"{change.kind}({dotted!r})"


def _parse(dotted: object, culprit: str) -> tuple[str, ...]:
    if not isinstance(dotted, str):
        raise ImproperlyConfigured(
            f"{culprit}: a field is written as a name or a dotted path such as 'items.name', "
            f"not {dotted!r}"
        )
    path = tuple(dotted.split("."))
    _check_path(path, culprit)
    return path


def _check_path(path: object, culprit: str) -> None:
    if not isinstance(path, tuple):
        raise ImproperlyConfigured(
            f"{culprit}: the path is a tuple of names such as ('items', 'name'), not {path!r}"
        )
    if not path:
        raise ImproperlyConfigured(
            f"{culprit}: the field path is empty; name the field, e.g. 'name' or 'items.name'"
        )
    for segment in path:
        if not isinstance(segment, str) or not _SEGMENT.fullmatch(segment):
            raise ImproperlyConfigured(
                f"{culprit}: {segment!r} is not a field name; use letters, digits, '_' or '-', "
                "and dots only between names ('items.name')"
            )


def _jsonable(value: Any, option: str, culprit: str) -> Any:
    try:
        return to_jsonable_python(value)
    except PydanticSerializationError:
        raise ImproperlyConfigured(
            f"{culprit}: {option}={value!r} cannot be written as JSON; give a str, number, bool, "
            "None, list or dict"
        ) from None


def _check_pair(first: Change, second: Change, owner: str) -> None:
    """Two changes of one version must not claim the same field, nor reach inside each other."""
    clash = _clash(first, second) or _clash(second, first)
    if clash is not None:
        raise ImproperlyConfigured(
            f"Handler {owner}: changes= {first} and {second} both touch {'.'.join(clash)!r} at "
            f"{first.since}; give each field one change per version"
        )


def _clash(a: Change, b: Change) -> tuple[str, ...] | None:
    """The field `a` and `b` both claim, if any.

    A change consumes a field of the old shape (renamed: its old name; removed) and produces one
    of the new shape (renamed: its new name; added). Two changes may share only a name that one
    consumes and an added() produces: the field was replaced. A change may not reach inside a
    field removed, added, or (under its old name) renamed by the same version.
    """
    consumed = None if a.kind == "added" else a.old_path
    produced = None if a.kind == "removed" else a.path
    other_consumed = None if b.kind == "added" else b.old_path
    other_produced = None if b.kind == "removed" else b.path
    if consumed is not None and consumed == other_consumed:
        return consumed
    if produced is not None and produced == other_produced:
        return produced
    if consumed is not None and consumed == other_produced and b.kind != "added":
        return consumed
    enclosing = a.old_path if a.kind == "renamed" else a.path
    if len(b.path) > len(enclosing) and b.path[: len(enclosing)] == enclosing:
        return enclosing
    return None


def ordered(changes: Sequence[Change]) -> list[Change]:
    """Changes in upgrade order: as given, with each version's changes shallow paths first.

    Within one version a parent's rename must run before changes to its children, and an added
    field is filled in after a removed or renamed field of the same name has made way for it.
    """
    ordered: list[Change] = []
    group: list[Change] = []
    for change in changes:
        if group and group[0].since != change.since:
            ordered.extend(sorted(group, key=_rank))
            group = []
        group.append(change)
    ordered.extend(sorted(group, key=_rank))
    return ordered


def _rank(change: Change) -> tuple[int, bool]:
    return len(change.path), change.kind == "added"


# JSON values.


def _parents(value: Any, path: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The objects at `path`; lists anywhere on the way stand for each of their items."""
    if isinstance(value, list):
        for item in value:
            yield from _parents(item, path)
    elif isinstance(value, dict):
        if not path:
            yield value
        elif path[0] in value:
            yield from _parents(value[path[0]], path[1:])


def move_key(obj: dict[str, Any], source: str, target: str, *, target_wins: bool) -> None:
    """Rename a key in place, keeping its position among the others."""
    if source not in obj or source == target:
        return
    if target in obj and target_wins:
        del obj[source]
        return
    entries: list[tuple[str, Any]] = []
    for key, item in obj.items():
        if key == source:
            entries.append((target, item))
        elif key != target:
            entries.append((key, item))
    obj.clear()
    obj.update(entries)
