"""Kwik's core commands, one module each; `kwik.cli.group.CORE_COMMANDS` lists them."""
