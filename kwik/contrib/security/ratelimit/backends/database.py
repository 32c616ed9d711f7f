"""`DatabaseBackend`: counters in the project's database, shared by every process using it.

Each limit of a check is ONE statement that decides and updates at once:

    INSERT INTO security_ratelimit AS r (...) VALUES (<a fresh key's state>)
    ON CONFLICT (key) DO UPDATE SET <the state after this hit>
    WHERE <the hit fits the limit>
    RETURNING tat, hits, previous_hits

The database locks the key's row for the statement, so concurrent checks of one key, from any
number of processes, are applied one after the other: exactly `count` pass. A row comes back
when the hit was allowed (inserted or updated); none when the WHERE refused it, and then
nothing was written. The statements of one check run in one transaction, in key order (so two
checks never wait on each other crosswise), rolled back when one refuses: all or nothing.

Only a refused check reads again (one SELECT), for the Retry-After it answers with. The time
comes from this process's clock, so the servers' clocks must agree (NTP): a skew of a second
shifts limits by a second.

Expired rows limit nothing (a fresh key behaves the same) and are purged by the process that
next checks a limit after PURGE_INTERVAL seconds, PURGE_BATCH rows at a time, using the index
on `expires_at`. The table is UNLOGGED on PostgreSQL: counters are not worth the write-ahead
log, and a crash forgets at most recent hits.

Inside a test that bound sessions to its connection (kwik's test fixtures), statements run in
a session on that connection instead, so they see, and are rolled back with, the test's data.

On SQLite only, a check made while the request's own database session holds its transaction
(a `user` key, or an API key's tier: authenticating read the database first) runs in a savepoint
of that transaction: SQLite lets one connection write at a time, and the request's session holds
that right until it ends, so a second connection would wait for the very request it serves. Such
a count is undone when the request fails. PostgreSQL, the production database, has no such limit.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.sql.elements import TextClause

from kwik.contrib.security.ratelimit.algorithms import (
    EPSILON,
    Outcome,
    State,
    decide,
    expires_at,
    report,
    window_start,
)
from kwik.contrib.security.ratelimit.backends import Hit
from kwik.contrib.security.ratelimit.limits import Algorithm
from kwik.db.database import database, sessions_bound
from kwik.db.session import current_session
from kwik.db.session import session as unit_of_work

__all__ = ["PURGE_BATCH", "PURGE_INTERVAL", "DatabaseBackend"]

PURGE_INTERVAL = 60.0
PURGE_BATCH = 1000

_COLUMNS = "(key, tat, hits, previous_hits, expires_at) VALUES (:key, :a, :h, :p, :expires)"
_CURRENT = "CASE WHEN r.tat = :start THEN r.hits ELSE 0 END"
_PREVIOUS = (
    "CASE WHEN r.tat = :start THEN r.previous_hits WHEN r.tat = :previous_start THEN r.hits "
    "ELSE 0 END"
)
# The state after one hit, and the condition for allowing it, per algorithm: algorithms.py in
# SQL. `{greatest}` is GREATEST on PostgreSQL, the two-argument MAX on SQLite.
_UPDATES: dict[Algorithm, tuple[str, str]] = {
    "gcra": (
        "tat = {greatest}(r.tat, :now) + :step, hits = 0, previous_hits = 0, "
        "expires_at = {greatest}(r.tat, :now) + :step",
        "{greatest}(r.tat, :now) + :step - :now <= :span",
    ),
    "fixed-window": (
        f"tat = :start, hits = {_CURRENT} + :cost, previous_hits = 0, expires_at = :expires",
        f"{_CURRENT} + :cost <= :count",
    ),
    "sliding-window": (
        f"tat = :start, hits = {_CURRENT} + :cost, previous_hits = {_PREVIOUS}, "
        "expires_at = :expires",
        f"{_PREVIOUS} * :weight + {_CURRENT} + :cost <= :bound",
    ),
}
_SELECT = text(
    "SELECT key, tat, hits, previous_hits FROM security_ratelimit WHERE key IN :keys"
).bindparams(bindparam("keys", expanding=True))
_PURGE = text(
    "DELETE FROM security_ratelimit WHERE key IN (SELECT key FROM security_ratelimit "
    "WHERE expires_at < :now LIMIT :batch)"
)


def _upsert(algorithm: Algorithm, dialect: str) -> TextClause:
    assignments, condition = _UPDATES[algorithm]
    greatest = "GREATEST" if dialect == "postgresql" else "MAX"
    return text(
        f"INSERT INTO security_ratelimit AS r {_COLUMNS} ON CONFLICT (key) DO UPDATE SET "
        f"{assignments.format(greatest=greatest)} WHERE {condition.format(greatest=greatest)} "
        "RETURNING tat, hits, previous_hits"
    )


_STATEMENTS = {
    (algorithm, dialect): _upsert(algorithm, dialect)
    for algorithm in _UPDATES
    for dialect in ("postgresql", "sqlite")
}


def _parameters(hit: Hit, now: float) -> dict[str, Any]:
    """The statement's values: a fresh key's state after this hit (the INSERT), and what the
    update and its condition need, computed here exactly as algorithms.py does."""
    limit, cost = hit.limit, float(hit.cost)
    fresh = decide(hit.algorithm, None, now, limit, hit.cost).state
    values: dict[str, Any] = {
        "key": hit.key,
        "a": fresh.a,
        "h": fresh.h,
        "p": fresh.p,
        "expires": expires_at(hit.algorithm, fresh, limit),
        "now": now,
    }
    if hit.algorithm == "gcra":
        values.update(step=cost * (limit.period / limit.count), span=limit.period + EPSILON)
        return values
    start = window_start(now, limit)
    values.update(start=start, cost=cost)
    if hit.algorithm == "fixed-window":
        values["count"] = float(limit.count)
    else:
        values.update(
            previous_start=start - limit.period,
            weight=(limit.period - (now - start)) / limit.period,
            bound=limit.count + EPSILON,
        )
    return values


class _Refused(Exception):
    """One statement refused its hit: roll the check's transaction back."""


class DatabaseBackend:
    """Counters in the `security_ratelimit` table of the project's database (kwik.db)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._next_purge = 0.0

    async def hit(self, hits: Sequence[Hit]) -> list[Outcome]:
        now = self.clock()
        dialect = database().backend
        ordered = sorted(hits, key=lambda hit: hit.key)
        try:
            async with self._transaction(several=len(ordered) > 1) as executor:
                after: dict[str, State] = {}
                for hit in ordered:
                    statement = _STATEMENTS[hit.algorithm, dialect]
                    row = (await executor.execute(statement, _parameters(hit, now))).first()
                    if row is None:
                        raise _Refused
                    after[hit.key] = State(*row)
        except _Refused:
            outcomes = await self._refused(hits, now)
        else:
            outcomes = [
                Outcome(
                    True, after[hit.key], *report(hit.algorithm, after[hit.key], now, hit.limit)
                )
                for hit in hits
            ]
        if now >= self._next_purge:
            await self.purge(now)
        return outcomes

    async def _refused(self, hits: Sequence[Hit], now: float) -> list[Outcome]:
        """The outcomes of a refused check, from the states it was refused on."""
        async with self._transaction(several=False) as executor:
            rows = await executor.execute(_SELECT, {"keys": [hit.key for hit in hits]})
            held = {row[0]: State(row[1], row[2], row[3]) for row in rows}
        outcomes = [
            decide(hit.algorithm, held.get(hit.key), now, hit.limit, hit.cost) for hit in hits
        ]
        if all(outcome.allowed for outcome in outcomes):
            # Other processes moved the counters since: still refused, retry at once.
            first = outcomes[0]
            outcomes[0] = Outcome(False, first.state, 0, first.reset_after, EPSILON)
        return outcomes

    async def purge(self, now: float | None = None) -> int:
        """Delete up to PURGE_BATCH expired rows; how many went. Runs again soon when the
        batch was full."""
        now = self.clock() if now is None else now
        async with self._transaction(several=False) as executor:
            result = await executor.execute(_PURGE, {"now": now, "batch": PURGE_BATCH})
        deleted = int(getattr(result, "rowcount", 0) or 0)
        self._next_purge = now + (1.0 if deleted >= PURGE_BATCH else PURGE_INTERVAL)
        return deleted

    @asynccontextmanager
    async def _transaction(self, *, several: bool) -> AsyncIterator[Any]:
        """Where the statements run: the test's bound session, else one transaction (a lone
        statement on PostgreSQL runs in autocommit: one round trip instead of three)."""
        if sessions_bound():
            async with unit_of_work() as current:
                yield current
            return
        db = database()
        request = current_session()
        if db.backend == "sqlite" and request is not None and request.in_transaction():
            # SQLite has one writer at a time, and the request's session is it: waiting for
            # another connection would wait for this very request. Count in a savepoint.
            async with request.begin_nested():
                yield request
            return
        if db.backend == "postgresql" and not several:
            async with db.engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                yield connection
            return
        async with db.engine.begin() as connection:
            yield connection

    async def close(self) -> None:
        """Nothing of its own: connections belong to the project's engine (kwik.db), which the
        application disposes at shutdown."""
