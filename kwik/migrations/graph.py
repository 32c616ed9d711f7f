"""The project's migrations: every installed app's `migrations/` folder, one Alembic branch each.

Alembic sees them as one `ScriptDirectory` whose version locations are the apps' folders, so
Alembic's own machinery (dependencies between branches, heads, up and down paths) does the graph
work. This module adds what Alembic doesn't know: which app a migration belongs to, its
Django-style name (`0002_product_sku`), and lookups that answer a user's typo with a list.

Revision ids are `<app label>_<file stem>` (`catalog_0002_product_sku`): unique across apps, and
readable in the `kwik_migrations` table. Each app's first migration carries the app label as its
Alembic branch label, so `catalog@head` means "the latest migration of catalog".

`migrate [APP [REVISION|zero]]` names a `Target`. Whether reaching a migration means applying up
to it or unapplying what came after it depends on what the database has applied, so the runner
asks the target which way to go only once it holds the migration lock.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError, load_python_file, to_tuple

from kwik.apps import AppConfig, apps
from kwik.migrations.errors import MigrationError, shown

__all__ = ["VERSION_TABLE", "ZERO", "Migration", "MigrationGraph", "Target", "revision_id"]

VERSION_TABLE = "kwik_migrations"
"""The table that records which migrations a database has (Alembic's version table)."""

ZERO = "zero"
"""The REVISION that means "before the app's first migration"."""

_NUMBER = re.compile(r"^(\d+)_")


def revision_id(label: str, name: str) -> str:
    """The Alembic revision id of migration `name` (a file stem) of app `label`."""
    return f"{label}_{name}"


@dataclass(frozen=True)
class Migration:
    """One migration file of one app."""

    app_label: str
    name: str
    """The file stem, e.g. `0002_product_sku`."""
    script: Script

    @property
    def revision(self) -> str:
        return self.script.revision

    @property
    def path(self) -> Path:
        return Path(self.script.path)

    @property
    def number(self) -> int | None:
        match = _NUMBER.match(self.name)
        return int(match[1]) if match else None

    @property
    def parents(self) -> tuple[str, ...]:
        """Revision ids this migration follows in its own app (two for a merge)."""
        return to_tuple(self.script.down_revision) or ()

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Revision ids of other apps' migrations this one needs applied first."""
        return to_tuple(self.script.dependencies) or ()

    def __str__(self) -> str:
        return f"{self.app_label}.{self.name}"


class MigrationGraph:
    """Every installed app's migrations, loaded once from disk.

    Example:
        graph = MigrationGraph.load()
        graph.head("catalog")            # Migration catalog.0002_product_sku
        graph.resolve("catalog", "0001") # Migration catalog.0001_initial
    """

    def __init__(self, configs: Sequence[AppConfig]) -> None:
        self.configs = {config.label: config for config in configs}
        folders = {
            config.label: config.migrations_dir.resolve()
            for config in configs
            if config.migrations_dir is not None
        }
        self.script = ScriptDirectory(
            Path(__file__).parent, version_locations=[str(f) for f in folders.values()]
        )
        self._by_app: dict[str, list[Migration]] = {label: [] for label in folders}
        self._by_revision: dict[str, Migration] = {}
        owners = {folder: label for label, folder in folders.items()}
        for script in self._load_scripts():
            path = Path(script.path)
            label = owners[path.parent]
            migration = Migration(label, path.stem, script)
            self._by_app[label].append(migration)
            self._by_revision[migration.revision] = migration
        for migrations in self._by_app.values():
            migrations.sort(key=lambda m: (m.number is None, m.number or 0, m.name))
        self._validate()

    @classmethod
    def load(cls) -> MigrationGraph:
        """The migrations of the loaded project's installed apps."""
        return cls(apps.get_app_configs())

    def _load_scripts(self) -> list[Script]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                scripts = list(self.script.walk_revisions())
            except CommandError as exc:
                raise MigrationError(f"Cannot load the migrations: {exc}") from exc
            except KeyError as exc:  # a down_revision or depends_on naming a revision nobody has
                raise self._missing(str(exc.args[0])) from exc
            except Exception as exc:
                where = getattr(exc, "filename", None)
                raise MigrationError(
                    f"A migration file failed to load{f' ({where})' if where else ''}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        if caught:  # e.g. two files with one revision id: Alembic keeps one of them and warns
            raise MigrationError(f"Cannot load the migrations: {caught[0].message}")
        return scripts

    def _missing(self, missing: str) -> MigrationError:
        """The error for a migration that names one no installed app has.

        Alembic says which revision is missing but not (in a form meant for programs) which file
        names it, so each file is asked what it follows and depends on.
        """
        referrer = next(
            (
                shown(path)
                for folder in self.script.version_locations
                for path in sorted(Path(folder).glob("[!_]*.py"))
                if missing in _references(path)
            ),
            "a migration",
        )
        return MigrationError(
            f"Migration {referrer} names {missing}, which no installed app has: restore that "
            f"migration (or its app in INSTALLED_APPS), or fix down_revision or depends_on in "
            f"{referrer}"
        )

    def _validate(self) -> None:
        for label, migrations in self._by_app.items():
            for migration in migrations:
                for parent in migration.parents:
                    owner = self._by_revision[parent].app_label
                    if owner != label:
                        raise MigrationError(
                            f"Migration {migration.path} of app {label!r} follows {parent!r} of "
                            f"app {owner!r}: an app's migrations follow its own; name other "
                            "apps' migrations in depends_on"
                        )
                if not migration.parents and label not in migration.script.branch_labels:
                    raise MigrationError(
                        f"Migration {migration.path} is the first of app {label!r} but has no "
                        f"branch label: set branch_labels = ({label!r},) in it"
                    )

    # Lookups -----------------------------------------------------------------------------------

    @property
    def app_labels(self) -> list[str]:
        """Apps that have a migrations folder, in INSTALLED_APPS order."""
        return list(self._by_app)

    def migrations(self, label: str) -> list[Migration]:
        """The app's migrations in order (by number); empty when it has none."""
        return list(self._by_app.get(label, []))

    def all(self) -> list[Migration]:
        return [m for label in self._by_app for m in self._by_app[label]]

    def get(self, revision: str) -> Migration:
        return self._by_revision[revision]

    def __contains__(self, revision: object) -> bool:
        return revision in self._by_revision

    def heads(self, label: str) -> list[Migration]:
        """The app's migrations no other migration of the app follows (one, unless branched)."""
        migrations = self._by_app.get(label, [])
        followed = {parent for m in migrations for parent in m.parents}
        return [m for m in migrations if m.revision not in followed]

    def head(self, label: str) -> Migration | None:
        """The app's latest migration; None when it has none; an error when it has two."""
        heads = self.heads(label)
        if len(heads) > 1:
            raise self.conflict(label, heads)
        return heads[0] if heads else None

    def conflict(self, label: str, heads: Sequence[Migration]) -> MigrationError:
        names = ", ".join(m.name for m in heads)
        return MigrationError(
            f"App {label!r} has {len(heads)} latest migrations ({names}), made in parallel: "
            f"run `kwik makemigrations --merge {label}` to join them"
        )

    def check_heads(self, labels: Iterable[str] | None = None) -> None:
        """Raise when any of the apps (default: all) has more than one latest migration."""
        for label in self._by_app if labels is None else labels:
            self.head(label)

    def check_app(self, label: str) -> AppConfig:
        """The installed app `label`; an error suggesting the closest label otherwise."""
        try:
            return apps.get_app_config(label)
        except LookupError as exc:
            installed = ", ".join(self.configs) or "(none)"
            raise MigrationError(f"{exc.args[0]} Installed apps: {installed}") from None

    def resolve(self, label: str, text: str, *, hint: str = "") -> Migration:
        """The app's migration named by `text`: `0002`, `0002_product_sku` or the revision id.

        `hint` ends the message when there is no such migration.
        """
        migrations = self._by_app.get(label, [])
        exact = [m for m in migrations if text in (m.name, m.revision)]
        found = exact or [
            m for m in migrations if m.name.startswith(text + "_") or m.revision.startswith(text)
        ]
        if len(found) == 1:
            return found[0]
        names = ", ".join(m.name for m in (found or migrations)) or "(none)"
        if found:
            raise MigrationError(
                f"{text!r} matches several migrations of app {label!r}: {names}; give the full name"
            )
        raise MigrationError(
            f"App {label!r} has no migration {text!r}. Its migrations: {names}{hint}"
        )

    def applied(self, heads: Iterable[str]) -> set[str]:
        """Revision ids a database whose version table holds `heads` has applied.

        That is the heads and everything they follow or depend on, across apps. Heads no
        installed app has are left out (the runner refuses to migrate such a database).
        """
        return {
            script.revision
            for head in heads
            if head in self._by_revision
            for script in self.script.iterate_revisions(head, "base")  # one at a time: Alembic
        }  # refuses revisions that are each other's ancestors in one call

    def target(self, app: str | None = None, revision: str | None = None) -> Target:
        """What `migrate [APP [REVISION|zero]]` names, checked against the migrations on disk."""
        if app is None:
            self.check_heads()
            return Target()
        self.check_app(app)
        if not self.migrations(app):
            raise MigrationError(
                f"App {app!r} has no migrations: run `kwik makemigrations {app}` to make its first"
            )
        self.check_heads([app])
        if revision is None:
            return Target(app)
        if revision == ZERO:
            return Target(app, zero=True)
        return Target(app, self.resolve(app, revision, hint=f" (or {ZERO}, to unapply them all)"))

    def unmigrated(self) -> list[str]:
        """Labels of apps that have models but no migrations (an empty folder counts as none).

        `migrate` can't create their tables; it warns. Test fixtures may create them directly.
        """
        return [
            config.label
            for config in self.configs.values()
            if config.get_models() and not self._by_app.get(config.label)
        ]

    def next_number(self, label: str) -> int:
        numbers = [m.number for m in self._by_app.get(label, []) if m.number is not None]
        return max(numbers, default=0) + 1


@dataclass(frozen=True)
class Target:
    """Where `migrate` goes: every app's latest migrations, one app's, one migration, or zero.

    Example:
        graph.target("catalog", "0001").way(graph, applied)  # (False, 'catalog_0001_initial')
    """

    app_label: str | None = None
    """None: every app."""
    migration: Migration | None = None
    """None: the app's latest migration (or none, with `zero`)."""
    zero: bool = False

    def way(self, graph: MigrationGraph, applied: set[str]) -> tuple[bool, str]:
        """Whether to apply (or unapply), and the Alembic destination, from what is `applied`.

        A migration that is applied is gone back to when a later one of its app is applied too.
        """
        if self.app_label is None:
            return True, "heads"
        if self.zero:
            return False, f"{self.app_label}@base"
        if self.migration is None:
            return True, f"{self.app_label}@head"
        revision = self.migration.revision
        later = [
            m.revision
            for m in graph.migrations(self.app_label)
            if m.revision in applied and m.revision != revision
        ]
        upgrade = revision not in applied or revision not in graph.applied(later)
        return upgrade, revision

    def describe(self, graph: MigrationGraph, upgrade: bool) -> str:
        """What the move does, in words (`Unapply catalog back to 0001_initial`)."""
        if self.app_label is None:
            labels = ", ".join(label for label in graph.app_labels if graph.migrations(label))
            return f"Apply all migrations: {labels or '(none)'}"
        if self.migration is None:
            return f"{'Apply' if upgrade else 'Unapply'} all migrations of {self.app_label}"
        if upgrade:
            return f"Apply {self.app_label} up to {self.migration.name}"
        return f"Unapply {self.app_label} back to {self.migration.name}"


def _references(path: Path) -> tuple[str, ...]:
    """The revision ids the migration file at `path` follows or depends on."""
    try:
        module = load_python_file(path.parent, path.name)
    except Exception:  # a file that doesn't load names nothing; Alembic reports it
        return ()
    names = (getattr(module, "down_revision", None), getattr(module, "depends_on", None))
    return tuple(revision for name in names for revision in to_tuple(name) or ())
