"""Version changes applied to JSON schemas: the older versions' OpenAPI documents describe what
their clients really send and receive.

A change that reaches into a `$ref` changes a copy of the component (`User_v1`), never the
component itself, which the newest version's operations still use; `prune_components` then drops
what no operation of the document refers to any more.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from kwik.contrib.versioning.changes import Change, move_key, ordered

__all__ = ["downgrade_schema", "prune_components"]

_SCHEMAS = "#/components/schemas/"
_BRANCHES = ("anyOf", "oneOf", "allOf")


def downgrade_schema(
    schema: Mapping[str, Any],
    changes: Sequence[Change],
    components: dict[str, Any],
    *,
    side: Literal["request", "response"],
    suffix: str,
) -> dict[str, Any]:
    """An operation's request or response schema, in the shape an older client knows.

    `components` is the document's `components.schemas`; it is never changed in place. A change
    that reaches into a `$ref` gets a copy of that component named `{name}{suffix}` (`User_v1`),
    shared by every operation whose changes give the same copy; a different copy under a taken
    name gets a counter (`User_v1_2`). Call `prune_components()` afterwards to drop the schemas no
    operation refers to any more.
    """
    if not suffix:
        raise ValueError("downgrade_schema() needs a non-empty suffix to name the copies it makes")
    copies = _Copies(components)
    result = copy.deepcopy(dict(schema))
    for change in reversed(ordered(changes)):
        if change.applies_to(side):
            for parent in copies.objects(result, change.path[:-1]):
                _change_object_schema(parent, change)
    copies.finish(result, suffix)
    return result


def prune_components(document: dict[str, Any]) -> None:
    """Drop from `document` the component schemas nothing refers to, even indirectly.

    Everything outside `components.schemas` (paths, webhooks, other components) is a root; a
    schema is kept if a root refers to it, or a kept schema does. Empty `schemas` and
    `components` are removed.
    """
    components = document.get("components")
    if not isinstance(components, dict) or not isinstance(components.get("schemas"), dict):
        return
    schemas: dict[str, Any] = components["schemas"]
    roots = {key: value for key, value in document.items() if key != "components"}
    roots["components"] = {key: value for key, value in components.items() if key != "schemas"}
    kept: set[str] = set()
    pending = list(_referenced(roots))
    while pending:
        name = pending.pop()
        if name in kept or name not in schemas:
            continue
        kept.add(name)
        pending.extend(_referenced(schemas[name]))
    for name in [name for name in schemas if name not in kept]:
        del schemas[name]
    if not schemas:
        del components["schemas"]
    if not components:
        del document["components"]


class _Copies:
    """Private copies of the components a schema walk reaches into, one per `$ref` walked through.

    A copy per reference (not per component) keeps a change to `address.city` away from a
    `billing` field that refers to the same component; identical copies share one name at the end.
    """

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.walked: dict[int, tuple[dict[str, Any], str, Any]] = {}

    def objects(self, node: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
        """The object schemas found at `path` below `node`, each once."""
        found: dict[int, dict[str, Any]] = {}
        for obj in self._expand(node, frozenset()):
            if not path:
                found[id(obj)] = obj
                continue
            properties = obj.get("properties")
            if isinstance(properties, dict) and path[0] in properties:
                for inner in self.objects(properties[path[0]], path[1:]):
                    found[id(inner)] = inner
        return list(found.values())

    def _expand(self, node: Any, seen: frozenset[str]) -> Iterator[dict[str, Any]]:
        """The object schemas `node` may be, through refs, array items and schema branches."""
        if not isinstance(node, dict):
            return
        name = _component(node.get("$ref"))
        if name is not None and name not in seen and isinstance(self.components.get(name), dict):
            yield from self._expand(self._copy(node, name), seen | {name})
        items = node.get("items")
        if isinstance(items, dict):
            yield from self._expand(items, seen)
        for key in _BRANCHES:
            branches = node.get(key)
            if isinstance(branches, list):
                for branch in branches:
                    yield from self._expand(branch, seen)
        kind = node.get("type")
        if (
            "properties" in node
            or kind == "object"
            or (isinstance(kind, list) and "object" in kind)
        ):
            yield node

    def _copy(self, ref: dict[str, Any], name: str) -> Any:
        walked = self.walked.get(id(ref))
        if walked is None:
            walked = (ref, name, copy.deepcopy(self.components[name]))
            self.walked[id(ref)] = walked
        return walked[2]

    def finish(self, node: Any, suffix: str) -> None:
        """Point each walked ref whose copy differs from its component at that copy, innermost
        first, storing the copy in `components` (or reusing an identical one stored earlier)."""
        if isinstance(node, list):
            for item in node:
                self.finish(item, suffix)
            return
        if not isinstance(node, dict):
            return
        for item in node.values():
            self.finish(item, suffix)
        walked = self.walked.get(id(node))
        if walked is None or walked[0] is not node:
            return
        _, name, work = walked
        self.finish(work, suffix)
        if work != self.components[name]:
            node["$ref"] = _SCHEMAS + _escape(self._place(name, work, suffix))

    def _place(self, name: str, work: Any, suffix: str) -> str:
        base = f"{name}{suffix}"
        candidate, counter = base, 1
        while candidate in self.components:
            if self.components[candidate] == work:
                return candidate
            counter += 1
            candidate = f"{base}_{counter}"
        self.components[candidate] = work
        return candidate


def _change_object_schema(obj: dict[str, Any], change: Change) -> None:
    """Undo `change` in one object schema: the old name back, the removed field back, the added
    field gone."""
    name = change.path[-1]
    properties = obj.get("properties")
    required = obj.get("required")
    if change.kind == "removed":
        if not isinstance(properties, dict):
            properties = obj["properties"] = {}
        if name not in properties:
            entry = dict(copy.deepcopy(change.schema or {}))
            entry.setdefault("default", copy.deepcopy(change.default))
            properties[name] = entry
        return
    if not isinstance(properties, dict) or name not in properties:
        return
    if change.kind == "renamed":
        old = change.old_name or name
        entry = properties[name]
        if isinstance(entry, dict) and entry.get("title") == _title(name):
            properties[name] = {**entry, "title": _title(old)}
        move_key(properties, name, old, target_wins=False)
        if isinstance(required, list):
            renamed_required = [old if item == name else item for item in required]
            obj["required"] = list(dict.fromkeys(renamed_required))
        return
    del properties[name]
    if isinstance(required, list):
        remaining = [item for item in required if item != name]
        if remaining:
            obj["required"] = remaining
        else:
            del obj["required"]


def _title(name: str) -> str:
    """The title Pydantic gives a field's schema (`full_name` -> `Full Name`)."""
    return name.replace("_", " ").title()


def _component(ref: object) -> str | None:
    """The component a `$ref` names, when it names a whole one in `components.schemas`."""
    if not isinstance(ref, str) or not ref.startswith(_SCHEMAS):
        return None
    rest = ref[len(_SCHEMAS) :]
    if not rest or "/" in rest:
        return None
    return rest.replace("~1", "/").replace("~0", "~")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _referenced(node: Any) -> Iterator[str]:
    """The component schemas `node` refers to directly, including refs into their insides."""
    if isinstance(node, list):
        for item in node:
            yield from _referenced(item)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            head = ref[len(_SCHEMAS) :].split("/", 1)[0]
            yield head.replace("~1", "/").replace("~0", "~")
        for item in node.values():
            yield from _referenced(item)
