"""Benchmark a PostgreSQL-backed list and detail endpoint: kwik against FastAPI + SQLAlchemy's
async ORM and Starlette + raw asyncpg (the floor).

    make bench-db                                # the full run; results in benchmarks/results/db/
    python benchmarks/db/run.py --quick          # a smoke run of a few seconds per stack
    python benchmarks/db/run.py --help

Exits 0 when every stack was measured (whether or not kwik meets its targets), 1 when one failed
to start, answered wrongly, or errored under load, 2 on a usage error, missing wrk, or no
PostgreSQL to seed.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.db.cli import main

    raise SystemExit(main())
