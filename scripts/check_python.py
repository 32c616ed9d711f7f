"""Stop `make` early, with the fix, when the Python it was given is too old for kwik."""

import sys

if sys.version_info < (3, 11):  # noqa: UP036 - this runs on whatever python make finds
    sys.exit(
        f"kwik needs Python 3.11 or newer; {sys.executable} is "
        f"{sys.version.split()[0]}. Run make with PYTHON=python3.11"
    )
