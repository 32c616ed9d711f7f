"""Enqueueing, on SQLite and PostgreSQL: jobs join the caller's transaction, arguments are
validated against the signature before anything is stored, unique keys hold under concurrent
and bulk enqueues, and bulk enqueue stores every job in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import select, text

import kwik.db
from kwik.contrib.tasks import InvalidTaskArguments, JobHandle, JobState, load_job
from tests.contrib.tasks.conftest import job_count, runs

pytestmark = pytest.mark.usefixtures("queue")


async def test_a_job_enqueued_in_a_block_that_rolls_back_is_not_stored():
    from tests.contrib.tasks.jobs.tasks import record

    seen: list[JobState] = []

    async def enqueue_then_fail() -> None:
        async with kwik.db.session():
            handle = await record.enqueue("lost")
            seen.append(await handle.status())
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await enqueue_then_fail()

    assert seen == [JobState.QUEUED]  # there inside the transaction...
    assert await job_count() == 0  # ...and gone with it


async def test_a_job_enqueued_in_a_block_that_commits_is_stored_queued():
    from tests.contrib.tasks.jobs.tasks import record

    async with kwik.db.session():
        handle = await record.enqueue("kept")

    info = await handle.info()
    assert (info.state, info.task, info.args, info.attempts) == (
        JobState.QUEUED,
        "tests.contrib.tasks.jobs.tasks.record",
        {"key": "kept"},
        0,
    )


async def test_a_job_joins_the_session_it_is_given():
    from tests.contrib.tasks.jobs.tasks import record

    async with kwik.db.database().sessionmaker()() as session:
        await record.enqueue("given", session=session)
        await session.rollback()

    assert await job_count() == 0


async def test_a_job_joins_the_connection_it_is_given():
    from tests.contrib.tasks.jobs.tasks import record

    async with kwik.db.database().engine.connect() as connection:
        await record.enqueue("given", connection=connection)
        await connection.commit()

    assert await job_count(state=JobState.QUEUED) == 1


async def test_a_job_enqueued_outside_any_unit_of_work_is_stored_at_once():
    from tests.contrib.tasks.jobs.tasks import record

    handle = await record.enqueue("alone")

    assert await handle.status() is JobState.QUEUED


async def request(method: str, path: str) -> httpx2.Response:
    from kwik.asgi import get_application

    transport = httpx2.ASGITransport(app=get_application(), raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


async def test_a_request_that_commits_stores_its_job_with_its_rows():
    response = await request("POST", "/jobs/signup/ada")

    assert response.status_code == 201
    info = await load_job(response.json()["job"])
    assert info.args == {"key": "welcome-ada"}
    assert await runs() == ["user-ada"]


async def test_a_request_that_fails_stores_neither_its_rows_nor_its_job():
    response = await request("POST", "/jobs/signup/failing-bob")

    assert response.status_code == 422
    assert await job_count() == 0
    assert await runs() == []


async def test_arguments_are_validated_and_converted_at_enqueue():
    from tests.contrib.tasks.jobs.tasks import add, move

    first = await add.enqueue("2", b=3)
    second = await move.enqueue({"x": 1, "y": "2", "seen": "2024-05-01T10:00:00Z"}, by=1)

    assert (await first.info()).args == {"a": 2, "b": 3}
    assert (await second.info()).args == {
        "point": {"x": 1, "y": 2, "seen": "2024-05-01T10:00:00Z"},
        "by": 1,
    }


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("two",), {}, "a: Input should be a valid integer"),
        ((), {}, "missing a required argument: 'a'"),
        ((1,), {"c": 3}, "got an unexpected keyword argument 'c'"),
        ((1, 2, 3), {}, "too many positional arguments"),
    ],
)
async def test_arguments_that_dont_fit_the_signature_are_refused_before_storing(
    args, kwargs, message
):
    from tests.contrib.tasks.jobs.tasks import add

    with pytest.raises(InvalidTaskArguments, match=message) as raised:
        await add.enqueue(*args, **kwargs)

    assert "tests.contrib.tasks.jobs.tasks.add" in str(raised.value)
    assert await job_count() == 0


async def test_delay_and_run_at_hold_a_job_back():
    from tests.contrib.tasks.jobs.tasks import record

    later = datetime.now(UTC) + timedelta(hours=2)
    delayed = await record.enqueue("delayed", delay=3600)
    scheduled = await record.enqueue("scheduled", run_at=later)

    delayed_info, scheduled_info = await delayed.info(), await scheduled.info()
    assert delayed_info.run_at - delayed_info.created_at >= timedelta(minutes=59)
    assert abs(scheduled_info.run_at - later) < timedelta(milliseconds=1)


async def test_a_naive_run_at_is_refused():
    from tests.contrib.tasks.jobs.tasks import record

    with pytest.raises(ValueError, match="naive datetime"):
        await record.enqueue("naive", run_at=datetime(2030, 1, 1))


async def test_using_changes_the_queue_priority_and_unique_key_of_one_enqueue():
    from tests.contrib.tasks.jobs.tasks import record

    first = await record.using(queue="mail", priority=-3, unique_key="k").enqueue("a")
    again = await record.using(unique_key="k").enqueue("b")

    info = await first.info()
    assert (info.queue, info.priority, info.unique_key) == ("mail", -3, "k")
    assert (again.id, again.created) == (first.id, False)


async def test_bulk_enqueue_stores_every_job_in_order_and_returns_their_handles():
    from tests.contrib.tasks.jobs.tasks import add

    handles = await add.enqueue_many({"a": n, "b": 1} for n in range(2500))

    assert len(handles) == 2500
    assert [h.id for h in handles] == sorted(h.id for h in handles)
    assert (await handles[0].info()).args == {"a": 0, "b": 1}
    assert (await handles[-1].info()).args == {"a": 2499, "b": 1}
    assert await job_count(state=JobState.QUEUED) == 2500


async def test_bulk_enqueue_joins_the_current_unit_of_work():
    from tests.contrib.tasks.jobs.tasks import record

    async def enqueue_then_fail() -> None:
        async with kwik.db.session():
            await record.enqueue_many([{"key": "a"}, {"key": "b"}])
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await enqueue_then_fail()

    assert await job_count() == 0


async def test_a_bad_item_in_a_bulk_enqueue_stores_nothing():
    from tests.contrib.tasks.jobs.tasks import add

    with pytest.raises(InvalidTaskArguments, match="a: Input should be a valid integer"):
        await add.enqueue_many([{"a": 1}, {"a": "x"}])

    assert await job_count() == 0


async def test_concurrent_enqueues_of_one_unique_job_make_one_job():
    from tests.contrib.tasks.jobs.tasks import unique_record

    handles = await asyncio.gather(*(unique_record.enqueue("same") for _ in range(30)))

    assert len({handle.id for handle in handles}) == 1
    assert sum(handle.created for handle in handles) == 1
    assert await job_count() == 1


async def test_concurrent_bulk_enqueues_with_repeated_keys_make_one_job_per_key():
    from tests.contrib.tasks.jobs.tasks import unique_record

    batches = [[{"key": f"k{n % 7}"} for n in range(40)] for _ in range(5)]
    made = await asyncio.gather(*(unique_record.enqueue_many(batch) for batch in batches))

    assert sum(len(handles) for handles in made) == 7
    assert await job_count() == 7


async def test_unique_on_some_parameters_ignores_the_others():
    from tests.contrib.tasks.jobs.tasks import welcome

    first = await welcome.enqueue(1, note="first")
    second = await welcome.enqueue(1, note="second")
    other = await welcome.enqueue(2, note="first")

    assert second.id == first.id
    assert other.id != first.id


async def test_a_finished_unique_job_no_longer_blocks_its_key():
    from kwik.contrib.tasks.models import Job
    from tests.contrib.tasks.jobs.tasks import unique_record

    first = await unique_record.enqueue("again")
    async with kwik.db.session() as session:
        job = await session.get(Job, first.id)
        assert job is not None
        job.state = JobState.SUCCEEDED

    second = await unique_record.enqueue("again")

    assert second.created
    assert second.id != first.id


async def test_enqueue_inside_the_test_transaction_of_bound_sessions_is_rolled_back_with_it():
    from kwik.db.database import bind_sessions
    from tests.contrib.tasks.jobs.tasks import record

    async with kwik.db.database().engine.connect() as connection:
        transaction = await connection.begin()
        async with bind_sessions(connection):
            handle = await record.enqueue("in-test")
            assert await handle.status() is JobState.QUEUED
        await transaction.rollback()

    assert await job_count() == 0


async def test_handles_compare_by_job_id():
    assert JobHandle(3) == JobHandle(3)
    assert JobHandle(3) != JobHandle(4)
    assert len({JobHandle(3), JobHandle(3)}) == 1


async def test_the_trigger_wakes_listeners_only_on_postgresql(queue):
    async with kwik.db.session() as session:
        backend = session.get_bind().dialect.name
        statement = (
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'tasks_job_notify'")
            if backend == "postgresql"
            else select(text("0"))
        )
        found = await session.scalar(statement)

    assert found == (1 if backend == "postgresql" else 0)
