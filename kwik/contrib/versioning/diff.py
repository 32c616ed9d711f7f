"""What changed between two API versions, and which changes break existing clients.

`kwik api diff v1 v2` answers the question a maintainer asks before publishing a version: what
must the release notes say, and can the old version's clients move over unchanged? Comparing
the generated OpenAPI documents, rather than the routes, means the answer is exactly what the
clients see (generated clients included), and that any two documents can be compared, even ones
saved from an earlier release.

Operations are matched by method and path, after stripping each document's version prefix
(`/v1/users` and `/v2/users` are one operation) and ignoring the names of path variables
(renaming `{id}` to `{user_id}` changes no URL, so it is reported as a rename, not as an
operation removed and another added). Bodies are compared field by field: `$ref`s are resolved
in each document and object properties flattened into dotted names (`address.city`), array
items as `[]` (`items[].name`, or `[].name` for a body that is a list) and map values as `{}`.
A `$ref` already being expanded is described but not expanded again, so recursive models end.

One difference is one line:

    + POST /users/{user_id}/avatar
    - DELETE /users/{user_id} (breaking)
    ~ GET /users: deprecated
    ~ GET /users: parameter query limit: added, required integer (breaking)
    ~ GET /users/{user_id}: response 200 field name: removed, required string (breaking)
    ~ POST /users: request body field age: type integer -> string (breaking)

`+`/`-` start an operation added or removed; `~` starts anything else, followed by the part of
the operation, what happened to it (for a field or parameter added or removed: whether it is
required, and its type) and `(breaking)` when a client written for the old version may fail.

Breaking means the old version's clients can break: an operation, a response status (2xx) or a
media type removed; a request body, parameter or request field added as required, or made
required; a response field removed or made optional (Pydantic marks a field with a default as
optional even though it is always sent, so this errs on the side of caution). A type change is
breaking unless the new type includes the old one for what clients send (`integer` ->
`integer | string`), or the old includes the new one for what they receive (`string | null` ->
`string`). A request field removed is not breaking: the server ignores what it doesn't read.
Enum values, constraints and security requirements are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kwik.contrib.versioning.fields import VARIABLE, Field, Operation, SchemaReader
from kwik.http.openapi.operations import METHOD_ORDER

__all__ = ["Difference", "DifferenceKind", "diff_documents", "render_json", "render_text"]

DifferenceKind = Literal["added", "removed", "changed"]

_SIGNS: dict[str, str] = {"added": "+", "removed": "-", "changed": "~"}
_KIND_ORDER: dict[str, int] = {"removed": 0, "added": 1, "changed": 2}
_METHOD_RANK = {method: rank for rank, method in enumerate(METHOD_ORDER)}


@dataclass(frozen=True, slots=True)
class Difference:
    """One change between two versions of an API, from the old version's clients' view.

    `operation` is "METHOD /path" (the prefix stripped); `part` is "" for the operation itself,
    else what changed in it ("parameter query limit", "request body", "request body field name",
    "request body media type application/xml", "response 404", "response 200 field
    address.city"); `detail` says how ("type integer -> string", "now required",
    "required string" for a field added).
    """

    kind: DifferenceKind
    operation: str
    part: str
    detail: str = ""
    breaking: bool = False

    def __str__(self) -> str:
        if self.part:
            if self.kind == "changed":
                what = self.detail or self.kind
            else:
                what = f"{self.kind}, {self.detail}" if self.detail else self.kind
            line = f"~ {self.operation}: {self.part}: {what}"
        else:
            line = f"{_SIGNS[self.kind]} {self.operation}"
            if self.detail:
                line += f": {self.detail}"
        return f"{line} (breaking)" if self.breaking else line


def _covers(wide: tuple[str, ...], narrow: tuple[str, ...]) -> bool:
    return "any" in wide or set(narrow) <= set(wide)


def _compare_values(
    operation: str, part: str, before: Field, after: Field, sent: bool
) -> Iterator[Difference]:
    """Type and required changes of one field or parameter; `sent` when the client sends it."""
    if set(before.types) != set(after.types):
        safe = _covers(after.types, before.types) if sent else _covers(before.types, after.types)
        detail = f"type {before.type} -> {after.type}"
        yield Difference("changed", operation, part, detail, breaking=not safe)
    if before.required and not after.required:
        yield Difference("changed", operation, part, "no longer required", breaking=not sent)
    elif after.required and not before.required:
        yield Difference("changed", operation, part, "now required", breaking=sent)


def _within(name: str, parent: str) -> bool:
    if not parent:  # the body itself holds every field
        return True
    return name.startswith(parent) and name[len(parent) : len(parent) + 1] in (".", "[", "{")


def _compare_fields(
    operation: str, part: str, old: dict[str, Field], new: dict[str, Field], sent: bool
) -> Iterator[Difference]:
    """Field by field; a field added, removed, or given an unrelated type (object -> array)
    stands for everything inside it, which is not listed again."""
    settled: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        if any(_within(name, parent) for parent in settled):
            continue
        where = f"{part} field {name}" if name else part
        before, after = old.get(name), new.get(name)
        if before is None and after is not None:
            settled.append(name)
            breaking = sent and after.required
            yield Difference("added", operation, where, after.described(), breaking)
        elif after is None and before is not None:
            settled.append(name)
            yield Difference("removed", operation, where, before.described(), not sent)
        elif before is not None and after is not None:
            if set(before.types).isdisjoint(after.types):
                settled.append(name)
            yield from _compare_values(operation, where, before, after, sent)


def _content(owner: Mapping[str, Any]) -> Mapping[str, Any]:
    content = owner.get("content")
    return content if isinstance(content, Mapping) else {}


def _body_media_type(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """The media type whose schemas are compared: JSON if both have it, else the first shared."""
    common = [media for media in old if media in new]
    for media in common:
        if media == "application/json":
            return media
    for media in common:
        if media.endswith("+json"):
            return media
    return common[0] if common else None


def _compare_contents(
    operation: str,
    part: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    resolvers: tuple[SchemaReader, SchemaReader],
    sent: bool,
) -> Iterator[Difference]:
    before, after = _content(old), _content(new)
    for media in before.keys() - after.keys():
        yield Difference("removed", operation, f"{part} media type {media}", breaking=True)
    for media in after.keys() - before.keys():
        yield Difference("added", operation, f"{part} media type {media}")
    media = _body_media_type(before, after)
    if media is None:
        return
    old_schema, new_schema = before[media].get("schema"), after[media].get("schema")
    old_fields, new_fields = resolvers[0].fields(old_schema), resolvers[1].fields(new_schema)
    yield from _compare_fields(operation, part, old_fields, new_fields, sent)


def _compare_parameters(
    name: str, old: Operation, new: Operation, resolvers: tuple[SchemaReader, SchemaReader]
) -> Iterator[Difference]:
    before, after = resolvers[0].parameters(old), resolvers[1].parameters(new)
    for key in before.keys() - after.keys():
        was = before[key]
        part = f"parameter {was.location} {was.name}"
        yield Difference("removed", name, part, was.field.described())
    for key in after.keys() - before.keys():
        now = after[key]
        part = f"parameter {now.location} {now.name}"
        required = now.field.required
        yield Difference("added", name, part, now.field.described(), breaking=required)
    for key in before.keys() & after.keys():
        was, now = before[key], after[key]
        part = f"parameter {now.location} {now.name}"
        if was.location == "path" and was.name != now.name:
            yield Difference("changed", name, part, f"renamed from {was.name}")
        yield from _compare_values(name, part, was.field, now.field, sent=True)
        if was.deprecated != now.deprecated:
            detail = "deprecated" if now.deprecated else "no longer deprecated"
            yield Difference("changed", name, part, detail)


def _compare_request_bodies(
    name: str, old: Operation, new: Operation, resolvers: tuple[SchemaReader, SchemaReader]
) -> Iterator[Difference]:
    raw_before, raw_after = old.spec.get("requestBody"), new.spec.get("requestBody")
    if raw_before is None and raw_after is None:
        return
    before, _ = resolvers[0].resolve(raw_before)
    after, _ = resolvers[1].resolve(raw_after)
    was_required = bool(before and before.get("required"))
    now_required = bool(after and after.get("required"))
    if raw_before is None:
        detail = "required" if now_required else "optional"
        yield Difference("added", name, "request body", detail, breaking=now_required)
    elif raw_after is None:
        yield Difference("removed", name, "request body")
    else:
        if was_required != now_required:
            detail = "now required" if now_required else "no longer required"
            yield Difference("changed", name, "request body", detail, breaking=now_required)
        yield from _compare_contents(
            name, "request body", before or {}, after or {}, resolvers, sent=True
        )


def _responses(operation: Operation) -> Mapping[str, Any]:
    responses = operation.spec.get("responses")
    if not isinstance(responses, Mapping):
        return {}
    return {str(status): response for status, response in responses.items()}


def _compare_responses(
    name: str, old: Operation, new: Operation, resolvers: tuple[SchemaReader, SchemaReader]
) -> Iterator[Difference]:
    before, after = _responses(old), _responses(new)
    for status in before.keys() - after.keys():
        success = status.startswith("2")
        yield Difference("removed", name, f"response {status}", breaking=success)
    for status in after.keys() - before.keys():
        yield Difference("added", name, f"response {status}")
    for status in before.keys() & after.keys():
        was, _ = resolvers[0].resolve(before[status])
        now, _ = resolvers[1].resolve(after[status])
        part = f"response {status}"
        yield from _compare_contents(name, part, was or {}, now or {}, resolvers, sent=False)


def _compare_operation(
    old: Operation, new: Operation, resolvers: tuple[SchemaReader, SchemaReader]
) -> Iterator[Difference]:
    name = new.name
    was, now = bool(old.spec.get("deprecated")), bool(new.spec.get("deprecated"))
    if was != now:
        yield Difference("changed", name, "", "deprecated" if now else "no longer deprecated")
    yield from _compare_parameters(name, old, new, resolvers)
    yield from _compare_request_bodies(name, old, new, resolvers)
    yield from _compare_responses(name, old, new, resolvers)


def _prefix(prefix: str, argument: str) -> str:
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"{argument} {prefix!r} must start with '/', like '/v1'")
    return prefix.rstrip("/")


def _strip(path: str, prefix: str) -> str:
    if not prefix:
        return path
    if path == prefix:
        return "/"
    return path[len(prefix) :] if path.startswith(f"{prefix}/") else path


def _operations(
    document: Mapping[str, Any], prefix: str, label: str
) -> dict[tuple[str, str], Operation]:
    """The document's operations by (method, path with variables unnamed); the first wins when
    two paths meet once the prefix is stripped."""
    paths = document.get("paths", {})
    if not isinstance(paths, Mapping):
        raise ValueError(
            f"The {label} OpenAPI document's 'paths' is a {type(paths).__name__}, not an "
            "object: pass the document itself (a dict), as openapi_document() returns it"
        )
    found: dict[tuple[str, str], Operation] = {}
    for raw_path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        path = _strip(str(raw_path), prefix)
        shared = item.get("parameters")
        shared = shared if isinstance(shared, list) else []
        for method in METHOD_ORDER:
            spec = item.get(method)
            if isinstance(spec, Mapping):
                key = (method, VARIABLE.sub("{}", path))
                found.setdefault(key, Operation(method, path, spec, shared))
    return found


def _order(difference: Difference) -> tuple[str, int, str, int]:
    method, _, path = difference.operation.partition(" ")
    rank = _METHOD_RANK.get(method.lower(), len(METHOD_ORDER))
    return (path, rank, difference.part, _KIND_ORDER[difference.kind])


def diff_documents(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    old_prefix: str = "",
    new_prefix: str = "",
) -> list[Difference]:
    """The differences between two OpenAPI documents, sorted by path, method, then part.

    `old_prefix` and `new_prefix` are stripped from the paths before they are compared (with
    URL versioning each version's paths start with its own), and the stripped path is the one
    reported; an operation present in both is reported under its new path.

    Example:
        v1 = openapi_document(routes_of_v1, title="Shop", version="v1")
        v2 = openapi_document(routes_of_v2, title="Shop", version="v2")
        for difference in diff_documents(v1, v2, old_prefix="/v1", new_prefix="/v2"):
            print(difference)  # ~ GET /users: response 200 field name: removed, ...

    Raises ValueError when a prefix doesn't start with "/", when a document's `paths` is not
    an object, or when a `$ref` points to nothing or outside its document.
    """
    before = _operations(old, _prefix(old_prefix, "old_prefix"), "old")
    after = _operations(new, _prefix(new_prefix, "new_prefix"), "new")
    resolvers = (SchemaReader(old, "old"), SchemaReader(new, "new"))
    found: list[Difference] = []
    for key in before.keys() - after.keys():
        found.append(Difference("removed", before[key].name, "", breaking=True))
    for key in after.keys() - before.keys():
        found.append(Difference("added", after[key].name, ""))
    for key in before.keys() & after.keys():
        found.extend(_compare_operation(before[key], after[key], resolvers))
    return sorted(found, key=_order)


def render_text(differences: Sequence[Difference], old_name: str, new_name: str) -> str:
    """A report for people: a summary line, then one line per difference.

    The summary counts operations added, removed and changed (with any other difference), and
    in parentheses the differences marked breaking, so it matches the `(breaking)` lines below.
    """
    if not differences:
        return f"No differences between {old_name} and {new_name}.\n"
    added = sum(1 for item in differences if not item.part and item.kind == "added")
    removed = sum(1 for item in differences if not item.part and item.kind == "removed")
    changed = len({item.operation for item in differences if item.part or item.kind == "changed"})
    breaking = sum(1 for item in differences if item.breaking)
    noun = "operation" if added == 1 else "operations"
    header = (
        f"API {old_name} -> {new_name}: {added} {noun} added, {removed} removed, "
        f"{changed} changed ({breaking} breaking)"
    )
    return "\n".join([header, *(str(item) for item in differences)]) + "\n"


def render_json(differences: Sequence[Difference], old_name: str, new_name: str) -> str:
    """A report for programs (CI gates): `{"from", "to", "differences": [...]}`."""
    report = {
        "from": old_name,
        "to": new_name,
        "differences": [
            {
                "kind": item.kind,
                "operation": item.operation,
                "part": item.part,
                "detail": item.detail,
                "breaking": item.breaking,
            }
            for item in differences
        ],
    }
    return json.dumps(report, indent=2) + "\n"
