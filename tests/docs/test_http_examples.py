"""The Python examples of the HTTP pages run: each block declares its routes without error.

What each example answers is specified by the tests in tests/http; this keeps the pages in step
with the API they show.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["routing.md", "dependencies.md", "errors.md"]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def examples() -> list[object]:
    found = []
    for page in PAGES:
        for number, code in enumerate(BLOCK.findall((DOCS / page).read_text(encoding="utf-8"))):
            found.append(pytest.param(code, id=f"{page}-{number}"))
    return found


@pytest.mark.parametrize("code", examples())
def test_the_example_runs(code: str, monkeypatch: pytest.MonkeyPatch):
    module = types.ModuleType("docs_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)

    exec(compile(code, module.__name__, "exec"), module.__dict__)
