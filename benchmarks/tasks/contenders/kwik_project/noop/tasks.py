"""The no-op task every queue in the benchmark runs."""

from kwik.contrib.tasks import background_task


@background_task(name="noop")
async def noop() -> None:
    return None
