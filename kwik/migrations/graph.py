"""The project's migrations: every installed app's `migrations/` folder, one Alembic branch each.

Alembic sees them as one `ScriptDirectory` whose version locations are the apps' folders, so
Alembic's own machinery (dependencies between branches, heads, up and down paths) does the graph
work. This module adds what Alembic doesn't know: which app a migration belongs to, its
Django-style name (`0002_product_sku`), and lookups that answer a user's typo with a list.

Revision ids are `<app label>_<file stem>` (`catalog_0002_product_sku`): unique across apps, and
readable in the `kwik_migrations` table. Each app's first migration carries the app label as its
Alembic branch label, so `catalog@head` means "the latest migration of catalog".
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError

from kwik.apps import AppConfig, apps
from kwik.migrations.errors import MigrationError, shown
from kwik.suggestions import did_you_mean

__all__ = ["VERSION_TABLE", "Migration", "MigrationGraph", "revision_id"]

VERSION_TABLE = "kwik_migrations"
"""The table that records which migrations a database has (Alembic's version table)."""

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
        down = self.script.down_revision
        if down is None:
            return ()
        return (down,) if isinstance(down, str) else tuple(down)

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Revision ids of other apps' migrations this one needs applied first."""
        found = self.script.dependencies
        if not found:
            return ()
        return (found,) if isinstance(found, str) else tuple(found)

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
            except KeyError as exc:  # a depends_on naming a revision nobody has
                raise self._missing(str(exc.args[0]), referrer=None) from exc
            except Exception as exc:
                if not caught:
                    where = getattr(exc, "filename", None)
                    raise MigrationError(
                        f"A migration file failed to load{f' ({where})' if where else ''}: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
        if caught:  # Alembic warns of a missing revision, then fails to walk past it
            text = str(caught[0].message)
            match = re.match(r"Revision (\S+) referenced from .*?-> (\S+)", text)
            if match is None:
                raise MigrationError(f"Cannot load the migrations: {text}")
            missing, referrer = match.groups()
            raise self._missing(missing, referrer)
        return scripts

    def _missing(self, missing: str, referrer: str | None) -> MigrationError:
        """The error for a migration that names one no installed app has."""
        if referrer is None:
            referrers = [
                shown(path)
                for folder in self.script.version_locations
                for path in sorted(Path(folder).glob("*.py"))
                if repr(missing)[1:-1] in path.read_text(encoding="utf-8", errors="replace")
            ]
            referrer = referrers[0] if referrers else "a migration"
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
        if label in self.configs:
            return self.configs[label]
        raise MigrationError(
            f"No installed app with label {label!r}.{did_you_mean(label, self.configs)}"
            f" Installed apps: {', '.join(self.configs) or '(none)'}"
        )

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

        That is the heads and everything they follow or depend on, across apps.
        """
        done: set[str] = set()
        pending = list(heads)
        while pending:
            revision = pending.pop()
            if revision in done or revision not in self._by_revision:
                continue
            done.add(revision)
            migration = self._by_revision[revision]
            pending.extend(migration.parents)
            pending.extend(migration.dependencies)
        return done

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
