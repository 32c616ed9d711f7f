"""Making migrations: from model changes, empty ones to fill in by hand, and merges.

`make_migrations` is `kwik makemigrations` without the printing: it returns the files it would
write, so `--check` and `--dry-run` are the same computation with nothing written.

New migrations of several apps are made in foreign-key order, and a migration whose foreign keys
point at another app's tables depends on that app's latest migration (Alembic's `depends_on`), so
`migrate` always creates a referenced table before the table that points at it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from kwik.apps import AppConfig
from kwik.conf import settings
from kwik.conf.locate import module_origin, settings_root
from kwik.db.database import database
from kwik.migrations.autogen import Changes, detect_changes, in_dependency_order
from kwik.migrations.describe import slug
from kwik.migrations.errors import MigrationError, shown
from kwik.migrations.graph import MigrationGraph
from kwik.migrations.scratch import scratch_database
from kwik.migrations.writer import MigrationFile

__all__ = ["Made", "make_empty", "make_merges", "make_migrations", "select_apps"]

_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass
class Made:
    """What `make_migrations` found: new files, in the order to write them, and notes."""

    files: list[MigrationFile] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    """Labels of the apps asked about that have no changes."""
    warnings: list[str] = field(default_factory=list)


def _check_name(name: str | None) -> None:
    if name is not None and not _NAME.match(name):
        raise MigrationError(
            f"--name {name!r} is not a valid migration name: use letters, digits and underscores"
        )


def _auto_name(prefix: str = "auto") -> str:
    return f"{prefix}_{datetime.now():%Y%m%d_%H%M}"


def select_apps(graph: MigrationGraph, labels: Sequence[str]) -> list[str]:
    """The apps `labels` names (all installed apps when empty), each checked to be installed."""
    if not labels:
        return list(graph.configs)
    for label in labels:
        if label not in graph.configs and module_origin(label) is not None:
            raise MigrationError(
                f"App {label!r} is not installed: add it to INSTALLED_APPS in your settings first"
            )
        graph.check_app(label)
    return list(dict.fromkeys(labels))


def _migrations_folder(config: AppConfig) -> Path:
    return config.migrations_dir or config.path / "migrations"


def _project_root() -> Path:
    """The project's folder: BASE_DIR, else the folder the settings module's top package is in.

    makemigrations makes a `migrations/` folder only for apps in it: an installed package (kwik's
    own contrib apps, even installed in editable mode) is not the project's to write to.
    """
    if settings.BASE_DIR is not None:
        return Path(settings.BASE_DIR).resolve()
    return settings_root(settings.module)


def _in_project(config: AppConfig, root: Path) -> bool:
    return config.path.resolve().is_relative_to(root)


async def make_migrations(
    graph: MigrationGraph,
    metadata: MetaData,
    labels: Sequence[str] = (),
    *,
    name: str | None = None,
) -> Made:
    """New migrations for the changes of the apps `labels` (default: every app with models).

    Apps whose changes the asked-for apps' foreign keys need get their migration too.
    """
    _check_name(name)
    selected = select_apps(graph, labels)
    graph.check_heads()
    root = _project_root()
    managed = set(graph.app_labels) | {
        label for label in labels if _in_project(graph.configs[label], root)
    }
    made = Made()
    for config in graph.configs.values():
        if config.label in managed or not config.get_models():
            continue
        if not _in_project(config, root):
            made.warnings.append(
                f"App {config.label!r} has models but no migrations folder, and it is not in "
                f"the project ({root}), so none is made for it; its tables are left out. "
                f"To start its migrations, create {shown(_migrations_folder(config))}/__init__.py."
            )
        elif labels:
            made.warnings.append(
                f"App {config.label!r} has models but no migrations folder; its tables are "
                f"left out. Run `kwik makemigrations {config.label}` to start its migrations."
            )
        else:
            managed.add(config.label)  # the project's own new app: its folder is made below
    async with scratch_database(database(), graph) as scratch:
        made.files, unowned = await scratch.connection.run_sync(
            _plan, graph, metadata, scratch.created, managed, selected, name
        )
    for table in unowned:
        made.warnings.append(
            f"Table {table!r} belongs to no installed app, so it is left out: set "
            "table.info['app_label'] on it, or name it <app label>_<name>"
        )
    asked = [label for label in labels if label in managed]
    changed = {file.app_label for file in made.files}
    made.unchanged = [label for label in asked if label not in changed]
    return made


def _plan(
    connection: Connection,
    graph: MigrationGraph,
    metadata: MetaData,
    created: dict[str, str],
    managed: set[str],
    selected: list[str],
    name: str | None,
) -> tuple[list[MigrationFile], list[str]]:
    changes = detect_changes(
        connection, metadata, created=created, managed=managed, installed=graph.configs
    )
    wanted = _with_needed_apps(changes, [label for label in selected if label in managed])
    order = in_dependency_order(
        [label for label in graph.configs if label in wanted], changes.references
    )
    files: dict[str, MigrationFile] = {}
    for label in order:
        config = graph.configs[label]
        head = graph.head(label)
        operations = changes.operations[label]
        number = graph.next_number(label)
        stem = name or ("initial" if head is None else slug(label, operations) or _auto_name())
        file = MigrationFile(
            app_label=label,
            name=f"{number:04d}_{stem}",
            folder=_migrations_folder(config),
            parents=(head.revision,) if head else (),
            depends_on=_dependencies(graph, label, changes, files),
            operations=operations,
            new_enums=changes.new_enums.get(label, []),
        )
        file.render(changes.context)
        files[label] = file
    return list(files.values()), changes.unowned


def _with_needed_apps(changes: Changes, labels: list[str]) -> set[str]:
    """`labels` with changes, plus the apps with changes that their foreign keys point at."""
    wanted: set[str] = set()
    pending = [label for label in labels if label in changes.operations]
    while pending:
        label = pending.pop()
        if label in wanted:
            continue
        wanted.add(label)
        pending.extend(
            other for other in changes.references.get(label, ()) if other in changes.operations
        )
    return wanted


def _dependencies(
    graph: MigrationGraph, label: str, changes: Changes, new: dict[str, MigrationFile]
) -> tuple[str, ...]:
    """The latest migration of each other app the changes of `label` point foreign keys at."""
    head = graph.head(label)
    already = graph.applied([head.revision]) if head else set()
    found = []
    for other in sorted(changes.references.get(label, ())):
        if other in new:
            found.append(new[other].revision)
            continue
        other_head = graph.head(other)
        if other_head is not None and other_head.revision not in already:
            found.append(other_head.revision)
    return tuple(found)


def make_empty(graph: MigrationGraph, labels: Sequence[str], *, name: str | None = None) -> Made:
    """An empty migration for each app in `labels`, to write by hand (data migrations, renames)."""
    _check_name(name)
    if not labels:
        raise MigrationError("--empty needs the app to make the migration for: --empty APP")
    made = Made()
    for label in select_apps(graph, labels):
        head = graph.head(label)
        stem = name or ("initial" if head is None else _auto_name())
        made.files.append(
            MigrationFile(
                app_label=label,
                name=f"{graph.next_number(label):04d}_{stem}",
                folder=_migrations_folder(graph.configs[label]),
                parents=(head.revision,) if head else (),
            )
        )
    return made


def make_merges(graph: MigrationGraph, labels: Sequence[str], *, name: str | None = None) -> Made:
    """A merge migration for each app in `labels` (default: all) that has several latest ones."""
    _check_name(name)
    made = Made()
    for label in select_apps(graph, labels):
        heads = graph.heads(label)
        if len(heads) < 2:
            continue
        joined = "merge_" + "_".join(head.name for head in heads)
        stem = name or (joined if len(joined) <= 60 else _auto_name("merge"))
        made.files.append(
            MigrationFile(
                app_label=label,
                name=f"{graph.next_number(label):04d}_{stem}",
                folder=_migrations_folder(graph.configs[label]),
                parents=tuple(head.revision for head in heads),
                title=f"Merge {', '.join(head.name for head in heads)} of app {label}.",
            )
        )
    return made
