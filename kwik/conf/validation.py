"""Turning raw values into a settings model, with errors a person can act on.

Every problem becomes one line that names the setting, says where its value came from, and what
is expected. Pydantic's own wording is kept for the reason, since it is precise.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kwik.conf.models import type_name
from kwik.conf.sources import RawSettings
from kwik.exceptions import ImproperlyConfigured
from kwik.suggestions import did_you_mean

__all__ = ["check_unknown", "validate_settings"]

M = TypeVar("M", bound=BaseModel)


def validate_settings(model: type[M], raw: RawSettings) -> M:
    """Build `model` from the values in `raw` that it declares."""
    values = {name: raw.values[name] for name in model.model_fields if name in raw.values}
    try:
        return model.model_validate(values, context={"sources": raw.sources})
    except ValidationError as exc:
        lines = [_describe(model, error, raw) for error in exc.errors()]
        raise ImproperlyConfigured("\n".join(lines)) from None


def _describe(model: type[BaseModel], error: Any, raw: RawSettings) -> str:
    reason = error["msg"].removeprefix("Value error, ")
    location = error["loc"]
    if not location:
        return f"Invalid settings: {reason}"
    name = str(location[0])
    where = "".join(f"[{part!r}]" for part in location[1:])
    source = raw.sources.get(name, "the default")
    info = model.model_fields.get(name)
    expected = f"; expected {type_name(info.annotation)}" if info else ""
    got = repr(raw.values[name]) if name in raw.values else "nothing"
    if len(got) > 80:
        got = got[:77] + "..."
    return f"Invalid setting {name}{where} = {got} (from {source}): {reason}{expected}"


def check_unknown(raw: RawSettings, known: Collection[str]) -> None:
    """Refuse names no model declares: a typo would otherwise be silently ignored."""
    lines = []
    for name in sorted(set(raw.values) - set(known)):
        hint = did_you_mean(name, known) or (
            " No installed app declares it: declare your own settings on an app's settings_model,"
            " or rename it in lower case if it is only a helper."
        )
        lines.append(f"Unknown setting {name} (from {raw.sources[name]}).{hint}")
    if lines:
        raise ImproperlyConfigured("\n".join(lines))
