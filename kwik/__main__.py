"""`python -m kwik` runs the same command runner as the `kwik` script."""

from kwik.cli import main

main()
