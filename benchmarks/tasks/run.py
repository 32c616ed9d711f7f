"""Benchmark kwik's task queue against PgQueuer and procrastinate on the local PostgreSQL.

    make bench                                   # after the HTTP benchmark; results in
                                                 # benchmarks/results/tasks-*.md/.json
    python benchmarks/tasks/run.py --quick       # a smoke run with small counts
    python benchmarks/tasks/run.py --help

Exits 0 when every queue was measured (whether or not kwik meets its targets), 1 when one
failed (not installed, a client or worker error, a wrong count in the database), 2 on a usage
error or when no PostgreSQL answers.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.tasks.cli import main

    raise SystemExit(main())
