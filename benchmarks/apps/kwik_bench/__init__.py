"""The kwik benchmark project: a settings module and its root routes (`urls.py`)."""
