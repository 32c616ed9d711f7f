"""The stacks the database benchmark serves: kwik, FastAPI + SQLAlchemy, Starlette + asyncpg."""
