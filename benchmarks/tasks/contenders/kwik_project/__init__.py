"""The kwik project the task benchmark runs: the tasks app and one app with a no-op task."""
