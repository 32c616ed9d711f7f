"""The typed shape of settings: kwik's own (`CoreSettings`) and the base for apps' (`AppSettings`).

Each setting is a field of a Pydantic model, so one declaration gives the name, the type, the
default, the validation and the docs. An app declares its own settings the same way and points its
`AppConfig.settings_model` at the class; kwik validates them together at start-up.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "INSECURE_KEY_PREFIX",
    "NEW_KEY_COMMAND",
    "AppSettings",
    "CoreSettings",
    "secret_key_problem",
    "type_name",
]

INSECURE_KEY_PREFIX = "kwik-insecure-"
NEW_KEY_COMMAND = "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
"""How to make a production SECRET_KEY; every message that asks for one quotes it."""
_MIN_KEY_LENGTH = 50
_MIN_KEY_UNIQUE = 5
_MODULE_PATH = r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*"
_DOTTED_PATH = re.compile(rf"^{_MODULE_PATH}(:{_MODULE_PATH})?$")
_MODULE_ONLY = re.compile(rf"^{_MODULE_PATH}$")
_OBJECT_PATH = re.compile(rf"^{_MODULE_PATH}:{_MODULE_PATH}$")


class AppSettings(BaseModel):
    """Base class of a settings model: UPPER_CASE fields with types and defaults.

    Example:
        class TasksSettings(AppSettings):
            TASKS_CONCURRENCY: int = 10
            TASKS_QUEUES: list[str] = ["default"]

    The names share one namespace with kwik's own settings, so prefix them with the app's name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def type_name(annotation: Any) -> str:
    """`bool`, `list[str]`, `Path | None`: a setting's type as a user would write it."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("pathlib.", "")


def secret_key_problem(key: str) -> str | None:
    """Why `key` is not fit for production, or None when it is."""
    if not key:
        return "is missing"
    if key.startswith(INSECURE_KEY_PREFIX):
        return f"starts with {INSECURE_KEY_PREFIX!r} (a development key made by startproject)"
    if len(key) < _MIN_KEY_LENGTH or len(set(key)) < _MIN_KEY_UNIQUE:
        return (
            f"is too weak ({len(key)} characters, {len(set(key))} distinct; at least "
            f"{_MIN_KEY_LENGTH} characters with {_MIN_KEY_UNIQUE} distinct are required)"
        )
    return None


class CoreSettings(AppSettings):
    """Kwik's own settings. `docs/settings.md` describes each one."""

    BASE_DIR: Path | None = None
    DEBUG: bool = False
    SECRET_KEY: str = ""
    INSTALLED_APPS: list[str] = []
    MIDDLEWARE: list[str] = []
    ROOT_URLCONF: str | None = None
    ASGI_APPLICATION: str | None = None
    DATABASE_URL: str = "sqlite+aiosqlite:///db.sqlite3"
    DATABASE_POOL_SIZE: int = Field(default=5, ge=1)
    DATABASE_MAX_OVERFLOW: int = Field(default=10, ge=0)
    DATABASE_POOL_TIMEOUT: float = Field(default=30.0, gt=0)
    DATABASE_POOL_RECYCLE: int | None = Field(default=None, gt=0)
    DATABASE_POOL_PRE_PING: bool = False
    DATABASE_CONNECT_ARGS: dict[str, Any] = {}
    DATABASE_ECHO: bool = False
    SQLITE_BUSY_TIMEOUT: float = Field(default=30.0, gt=0)
    STATIC_URL: str = "/static/"
    STATICFILES_DIRS: list[Path] = []
    TEMPLATE_DIRS: list[Path] = []
    EXCEPTION_HANDLERS: dict[str, str] = {}
    MAX_REQUEST_BODY_SIZE: int = Field(default=1024 * 1024, ge=0)
    OPENAPI_URL: str | None = "/openapi.json"
    DOCS_URL: str | None = "/docs"
    OPENAPI_TITLE: str | None = None
    OPENAPI_VERSION: str = "0.1.0"
    OPENAPI_DESCRIPTION: str | None = None
    OPENAPI_SERVERS: list[dict[str, str]] = []

    @field_validator("INSTALLED_APPS", "MIDDLEWARE")
    @classmethod
    def _dotted_paths_once(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for entry in value:
            if not _DOTTED_PATH.match(entry):
                raise ValueError(f"{entry!r} is not a dotted Python path like 'package.module'")
            if entry in seen:
                raise ValueError(f"{entry!r} is listed twice; remove one of them")
            seen.add(entry)
        return value

    @field_validator("ROOT_URLCONF")
    @classmethod
    def _module_path(cls, value: str | None) -> str | None:
        if value is not None and not _MODULE_ONLY.match(value):
            raise ValueError(
                f"{value!r} is not a module path like 'shop.urls' (the module defines `router`)"
            )
        return value

    @field_validator("ASGI_APPLICATION")
    @classmethod
    def _object_path(cls, value: str | None) -> str | None:
        if value is not None and not _OBJECT_PATH.match(value):
            raise ValueError(f"{value!r} is not a 'module:attribute' path like 'shop.asgi:app'")
        return value

    @field_validator("STATIC_URL")
    @classmethod
    def _url_prefix(cls, value: str) -> str:
        if not (value.startswith("/") and value.endswith("/")):
            raise ValueError(f"{value!r} must start and end with '/', like '/static/'")
        return value

    @field_validator("OPENAPI_URL", "DOCS_URL")
    @classmethod
    def _documentation_url(cls, value: str | None) -> str | None:
        if not value:
            return None  # KWIK_DOCS_URL= (empty) turns the page off, like None in the module
        if not value.startswith("/") or "{" in value or (len(value) > 1 and value.endswith("/")):
            raise ValueError(
                f"{value!r} must be a fixed path starting with '/' and not ending with one, "
                "like '/docs', or None to turn it off"
            )
        return value

    @field_validator("OPENAPI_SERVERS")
    @classmethod
    def _servers(cls, value: list[dict[str, str]]) -> list[dict[str, str]]:
        for server in value:
            if not server.get("url"):
                raise ValueError(
                    f"{server!r} has no 'url'; each server is like "
                    "{'url': 'https://api.example.com', 'description': 'Production'}"
                )
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _looks_like_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(f"{value!r} is not a URL like 'sqlite+aiosqlite:///db.sqlite3'")
        return value

    @model_validator(mode="after")
    def _docs_need_the_document(self) -> CoreSettings:
        if self.DOCS_URL is not None and self.OPENAPI_URL is None:
            raise ValueError(
                f"DOCS_URL is {self.DOCS_URL!r} but OPENAPI_URL is None, and the docs page "
                "shows the document served at OPENAPI_URL; set OPENAPI_URL or DOCS_URL = None"
            )
        if self.DOCS_URL is not None and self.DOCS_URL == self.OPENAPI_URL:
            raise ValueError(
                f"DOCS_URL and OPENAPI_URL are both {self.DOCS_URL!r}; give them different paths"
            )
        return self

    @model_validator(mode="after")
    def _production_ready(self, info: ValidationInfo) -> CoreSettings:
        problem = None if self.DEBUG else secret_key_problem(self.SECRET_KEY)
        if problem:
            # The sources (see kwik.conf.validation) say which file or variable to fix.
            sources = (info.context or {}).get("sources", {})
            key = "SECRET_KEY"
            if "SECRET_KEY" in sources:
                key += f" (from {sources['SECRET_KEY']})"
            debug = f"from {sources['DEBUG']}" if "DEBUG" in sources else "the default"
            raise ValueError(
                f"{key} {problem} while DEBUG is off ({debug}): set KWIK_SECRET_KEY in the "
                f"environment to a random value, e.g. the output of {NEW_KEY_COMMAND}"
            )
        return self

    def resolve(self, path: Path) -> Path:
        """`path` made absolute against BASE_DIR (or left as given when BASE_DIR is unset)."""
        if path.is_absolute() or self.BASE_DIR is None:
            return path
        return self.BASE_DIR / path
