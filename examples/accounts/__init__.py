"""Signup with a welcome email sent by a background task (docs/tasks.md's worked example).

Copy it into a project as the `accounts` app (`cp -R examples/accounts accounts`), add it and
`kwik.contrib.tasks` to INSTALLED_APPS, then `kwik makemigrations && kwik migrate`.
"""
