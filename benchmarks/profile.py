"""Profile kwik (and peers) under load: CPU per request by owner, and the hottest functions.

    python benchmarks/profile.py                                  # kwik and Starlette+Pydantic
    python benchmarks/profile.py --frameworks kwik --endpoints create --stacks /tmp/stacks

Needs py-spy (a benchmark requirement; `make bench` installs it) and permission to attach to a
child process (root, or ptrace_scope 0).
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.harness.profile_cli import main

    raise SystemExit(main())
