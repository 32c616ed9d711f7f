"""The behaviour every backend shares: memory, the database (SQLite and PostgreSQL) and Redis
each pass this suite, on a clock the test moves (no sleeping).

The algorithms' semantics are specified here once: GCRA (a burst of `count`, then one unit per
`period / count`), fixed windows (`count` per calendar window), sliding windows (the previous
window's count weighted by its overlap), several limits at once (all or nothing), and costs.
"""

from __future__ import annotations

import asyncio

import pytest

from kwik.contrib.security.ratelimit import Hit, Limit
from kwik.contrib.security.ratelimit.limits import ALGORITHMS


async def hit(backend, key="client", *limits, algorithm="gcra", cost=1):
    """One check of `limits` for `key`; its outcomes."""
    hits = [Hit(f"{key}#{i}", limit, algorithm, cost) for i, limit in enumerate(limits)]
    return await backend.hit(hits)


async def allowed(backend, limit, algorithm="gcra", key="client", cost=1) -> bool:
    outcomes = await hit(backend, key, limit, algorithm=algorithm, cost=cost)
    return outcomes[0].allowed


async def count_allowed(backend, limit, tries, algorithm="gcra", key="client") -> int:
    results = [await allowed(backend, limit, algorithm, key) for _ in range(tries)]
    return results.count(True)


# GCRA ----------------------------------------------------------------------------------------


async def test_gcra_allows_a_burst_of_count_then_refuses(backend):
    assert await count_allowed(backend, Limit(5, 10), 8) == 5


async def test_gcra_refusal_says_to_wait_one_emission_interval(backend):
    limit = Limit(5, 10)
    await count_allowed(backend, limit, 5)
    [refused] = await hit(backend, "client", limit)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(2.0)
    assert refused.remaining == 0


async def test_gcra_gives_back_one_unit_per_emission_interval(backend, clock):
    limit = Limit(5, 10)
    await count_allowed(backend, limit, 5)
    clock.advance(1.9)
    assert not await allowed(backend, limit)
    clock.advance(0.1)
    assert await allowed(backend, limit)
    assert not await allowed(backend, limit)


async def test_gcra_refused_requests_do_not_push_the_wait_further(backend, clock):
    limit = Limit(5, 10)
    await count_allowed(backend, limit, 5)
    for _ in range(20):
        assert not await allowed(backend, limit)
    clock.advance(2.0)
    assert await allowed(backend, limit)


async def test_gcra_allows_a_steady_rate_forever(backend, clock):
    limit = Limit(5, 10)
    for _ in range(30):
        assert await allowed(backend, limit)
        clock.advance(2.0)


async def test_gcra_bucket_is_whole_again_after_the_period(backend, clock):
    limit = Limit(5, 10)
    await count_allowed(backend, limit, 5)
    clock.advance(10.0)
    assert await count_allowed(backend, limit, 8) == 5


async def test_gcra_reports_remaining_units_and_seconds_until_whole(backend):
    [first] = await hit(backend, "client", Limit(10, 60))
    assert first.allowed
    assert first.remaining == 9
    assert first.reset_after == pytest.approx(6.0)


# Fixed window --------------------------------------------------------------------------------


async def test_fixed_window_allows_count_per_window(backend, clock):
    limit = Limit(3, 60)
    clock.advance(10)
    assert await count_allowed(backend, limit, 5, "fixed-window") == 3


async def test_fixed_window_refusal_says_to_wait_for_the_next_window(backend, clock):
    limit = Limit(3, 60)
    clock.advance(10)
    await count_allowed(backend, limit, 3, "fixed-window")
    [refused] = await hit(backend, "client", limit, algorithm="fixed-window")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(50.0)


async def test_fixed_window_starts_over_at_the_window_edge(backend, clock):
    limit = Limit(3, 60)
    clock.advance(59)
    assert await count_allowed(backend, limit, 3, "fixed-window") == 3
    clock.advance(1)  # one second later: a new window, a whole new count (the known weakness)
    assert await count_allowed(backend, limit, 5, "fixed-window") == 3


async def test_fixed_window_reports_remaining_and_window_end(backend, clock):
    clock.advance(15)
    [first] = await hit(backend, "client", Limit(3, 60), algorithm="fixed-window")
    assert (first.remaining, first.reset_after) == (2, pytest.approx(45.0))


# Sliding window ------------------------------------------------------------------------------


async def test_sliding_window_weighs_the_previous_window_by_its_overlap(backend, clock):
    limit = Limit(10, 60)
    assert await count_allowed(backend, limit, 10, "sliding-window") == 10
    clock.advance(60 + 30)  # half of the previous window still overlaps: 5 of its 10 count
    assert await count_allowed(backend, limit, 10, "sliding-window") == 5


async def test_sliding_window_refusal_says_when_the_overlap_has_shrunk_enough(backend, clock):
    limit = Limit(10, 60)
    await count_allowed(backend, limit, 10, "sliding-window")
    [refused] = await hit(backend, "client", limit, algorithm="sliding-window")
    # The next window must be 6 seconds old: 10 * 54/60 = 9 previous, plus this one.
    assert refused.retry_after == pytest.approx(66.0)
    clock.advance(65)
    assert not await allowed(backend, limit, "sliding-window")
    clock.advance(1)
    assert await allowed(backend, limit, "sliding-window")


async def test_sliding_window_forgets_a_window_two_periods_old(backend, clock):
    limit = Limit(10, 60)
    await count_allowed(backend, limit, 10, "sliding-window")
    clock.advance(120)
    assert await count_allowed(backend, limit, 12, "sliding-window") == 10


# Several limits, costs, keys -----------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_several_limits_all_must_allow(backend, algorithm):
    per_second, per_hour = Limit(10, 1), Limit(3, 3600)
    results = [
        all(o.allowed for o in await hit(backend, "c", per_second, per_hour, algorithm=algorithm))
        for _ in range(5)
    ]
    assert results == [True, True, True, False, False]


async def test_a_refused_check_spends_none_of_its_limits(backend, clock):
    per_second, per_hour = Limit(1, 1), Limit(10, 3600)
    assert all(o.allowed for o in await hit(backend, "c", per_second, per_hour))
    refused = await hit(backend, "c", per_second, per_hour)
    assert [o.allowed for o in refused] == [False, True]
    clock.advance(1)
    after = await hit(backend, "c", per_second, per_hour)
    assert after[1].remaining == 8  # two allowed requests spent the hourly limit, not three


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_a_cost_spends_that_many_units(backend, algorithm):
    limit = Limit(10, 3600)
    assert await allowed(backend, limit, algorithm, cost=4)
    assert await allowed(backend, limit, algorithm, cost=4)
    assert not await allowed(backend, limit, algorithm, cost=4)
    assert await allowed(backend, limit, algorithm, cost=2)
    assert not await allowed(backend, limit, algorithm, cost=1)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_each_key_counts_apart(backend, algorithm):
    limit = Limit(2, 3600)
    assert await count_allowed(backend, limit, 3, algorithm, key="alice") == 2
    assert await count_allowed(backend, limit, 3, algorithm, key="bob") == 2


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_concurrent_checks_of_one_key_allow_exactly_count(backend, algorithm):
    limit = Limit(20, 3600)
    results = await asyncio.gather(*(allowed(backend, limit, algorithm) for _ in range(50)))
    assert results.count(True) == 20


async def test_concurrent_checks_of_several_limits_allow_exactly_the_smallest(backend):
    limits = (Limit(1000, 60), Limit(20, 3600))
    checks = [hit(backend, "c", *limits) for _ in range(50)]
    results = await asyncio.gather(*checks)
    assert [all(o.allowed for o in r) for r in results].count(True) == 20
