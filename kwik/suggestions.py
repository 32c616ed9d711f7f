"""'Did you mean ...?' for every place that rejects a name (settings, commands, apps)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `word`, or None when nothing is close enough to be a typo."""
    pool = list(candidates)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        folded = {c.casefold(): c for c in pool}
        matches = [folded[m] for m in difflib.get_close_matches(word.casefold(), folded, n=1)]
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A sentence to append to an error message: ' Did you mean X?' or an empty string."""
    match = closest(word, candidates)
    return f" Did you mean {match}?" if match else ""
