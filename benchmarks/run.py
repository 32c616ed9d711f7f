"""Benchmark kwik against FastAPI, Litestar and hand-written Starlette+Pydantic.

    make bench                                   # the full run; results in benchmarks/results/
    python benchmarks/run.py --quick             # a smoke run of a few seconds per framework
    python benchmarks/run.py --help

Exits 0 when every framework was measured (whether or not kwik meets its targets), 1 when one
failed to start, answered wrongly, or errored under load, 2 on a usage error or missing wrk.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.harness.cli import main

    raise SystemExit(main())
