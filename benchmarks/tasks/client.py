"""The application side of one measurement, in a child process: install, or enqueue and time.

    BENCH_TASKS_DSN=postgresql://... python -m benchmarks.tasks.client pgqueuer one-by-one 3000

Prints one JSON line, `{"seconds": ...}`: the time the timed calls took. Every action first
enqueues one job untimed through the single-job API, so connections and prepared statements are
ready before the clock starts, for every queue alike; the database then holds `n + 1` jobs.
Runs on uvloop, as an application served by uvicorn does.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time

import uvloop

__all__ = ["ACTIONS", "WARM_UP_JOBS", "main"]

ACTIONS = ("install", "one-by-one", "bulk")
WARM_UP_JOBS = 1
"""Jobs each enqueue action adds, untimed, before the ones it times."""


async def _run(module_name: str, action: str, n: int) -> float:
    module = importlib.import_module(module_name)
    dsn = os.environ["BENCH_TASKS_DSN"]
    if action == "install":
        started = time.perf_counter()
        await module.install(dsn)
        return time.perf_counter() - started
    async with module.session(dsn) as queue:
        await queue.one()
        started = time.perf_counter()
        if action == "bulk":
            await queue.many(n)
        else:
            for _ in range(n):
                await queue.one()
        return time.perf_counter() - started


def main(argv: list[str]) -> int:
    from benchmarks.tasks.queues import CONTENDERS

    if len(argv) != 3 or argv[0] not in CONTENDERS or argv[1] not in ACTIONS:
        print(
            f"usage: client.py {{{','.join(CONTENDERS)}}} {{{','.join(ACTIONS)}}} N",
            file=sys.stderr,
        )
        return 2
    contender = CONTENDERS[argv[0]]
    seconds = uvloop.run(_run(contender.module, argv[1], int(argv[2])))
    print(json.dumps({"seconds": seconds}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
